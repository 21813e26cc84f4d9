// Instances that may wait in a host call share a thread (waitersPerThread, default 10): two JS
// instances (hello-http) and the sleeper start in one. When the sleeper waits in a host call for
// longer than waitStallMs, its neighbours move: each starts afresh in another thread and its url
// changes, and it answers there while the sleep goes on. Nobody exits or restarts for it; the
// sleeper answers once its sleep is over, and a later waiter is not put into its thread.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createRuntime, type InstanceStatus } from '../../src/wasm-runtime/index.ts'
import { fixture } from './images.ts'

const f = fixture()
const runtime = createRuntime({
  cacheDir: f.cacheDir,
  logDir: f.logDir,
  soloWorkers: 4,
  waitStallMs: 300,
})
const seen: InstanceStatus[] = []
runtime.onStatus((s) => seen.push(s))
const probe = { httpGet: { path: '/' }, periodSeconds: 0.3, timeoutSeconds: 2 }
const post = (url: string, body: string, ms = 60_000) =>
  fetch(url, { method: 'POST', body, signal: AbortSignal.timeout(ms) })
const who = async (id: string) => {
  const response = await fetch(`${runtime.url(id)}/who`, { signal: AbortSignal.timeout(10_000) })
  return ((await response.json()) as { pod: string }).pod
}

test('a long wait moves its neighbours, which answer at their new url meanwhile', async () => {
  for (const id of ['web-a', 'web-b'])
    await runtime.start(
      f.spec(id, 'hello-http', 'http', {
        env: { POD_NAME: id },
        readinessProbe: probe,
        livenessProbe: probe,
      }),
    )
  await runtime.start(f.spec('sleepy', 'sleeper', 'handler'))
  const before = { a: runtime.url('web-a'), b: runtime.url('web-b') }
  assert.is(await who('web-a'), 'web-a')

  let slept = false
  const sleep = post(runtime.url('sleepy')!, '20000').then(async (r) => {
    slept = true
    return r.text()
  })
  // the watchdog sees the wait after 300 ms and the neighbours move; poll for the new urls
  for (let i = 0; i < 150; i++) {
    if (runtime.url('web-a') !== before.a && runtime.url('web-b') !== before.b) break
    await new Promise((r) => setTimeout(r, 100))
  }
  assert.is.not(runtime.url('web-a'), before.a, 'web-a moved')
  assert.is.not(runtime.url('web-b'), before.b, 'web-b moved')
  for (let round = 0; round < 3; round++) {
    assert.is(await who('web-a'), 'web-a')
    assert.is(await who('web-b'), 'web-b')
  }
  assert.not.ok(slept, 'answered while the sleep went on')

  // a waiter started now does not go into the sleeping thread
  await runtime.start(f.spec('web-c', 'hello-http', 'http', { env: { POD_NAME: 'web-c' } }))
  assert.is(await who('web-c'), 'web-c')
  assert.not.ok(slept, 'web-c answered while the sleep went on')

  assert.is(await sleep, 'slept 20000')
  assert.is(await (await post(runtime.url('sleepy')!, 'again')).text(), 'slept again')
  assert.equal(
    seen.filter((s) => s.state === 'exited'),
    [],
    'nobody exited',
  )
  for (const id of ['web-a', 'web-b', 'sleepy']) {
    const status = runtime.status(id)!
    assert.is(status.state, 'ready', id)
    assert.is(status.restartCount, 0, id)
  }
})

test.after(async () => {
  await runtime.close()
  f.cleanup()
})
test.run()
