// An instance that waits in a host call (the sleeper image: 12 s in wasi:io/poll pollable.block,
// with a 1.5 s CPU limit) beside serving instances: here (waitersPerThread: 1) it runs in a worker
// of its own — shared-waiters.test.ts has waiters sharing a thread — so its
// neighbours' requests and probes are all answered during the sleep, nobody exits, and the
// sleeper is not stopped for its wait — its own request answers once the sleep is over. A
// command that sleeps past its deadline is not stopped for the sleep either.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createRuntime, type InstanceStatus } from '../../src/wasm-runtime/index.ts'
import { exitOf, fixture } from './images.ts'

const f = fixture()
const runtime = createRuntime({
  cacheDir: f.cacheDir,
  logDir: f.logDir,
  workers: 1,
  waitersPerThread: 1,
})
const seen: InstanceStatus[] = []
runtime.onStatus((s) => seen.push(s))
const limits = { requestTimeoutMs: 1500, cpuMillis: 1000 }
const probe = { httpGet: { path: '/' }, periodSeconds: 0.2, timeoutSeconds: 1, failureThreshold: 1 }
const post = (url: string, body: string, ms = 10_000) =>
  fetch(url, { method: 'POST', body, signal: AbortSignal.timeout(ms) })

test('a 12 s sleep in a host call: neighbours answer throughout, nobody exits', async () => {
  for (const id of ['calm-a', 'calm-b'])
    await runtime.start(f.spec(id, 'hello-wat', 'handler', { limits, livenessProbe: probe }))
  await runtime.start(
    f.spec('web', 'hello-http', 'http', { limits, readinessProbe: probe, livenessProbe: probe }),
  )
  await runtime.start(f.spec('sleepy', 'sleeper', 'handler', { limits }))

  // (no request to the sleeper before this one: fetch (undici) resets a request queued behind a
  // response slower than the server's keep-alive hint on a connection that had been idle — seen
  // with a plain node:http server too)
  const started = Date.now()
  const sleep = post(runtime.url('sleepy')!, '12000', 60_000)
  await new Promise((r) => setTimeout(r, 300))
  const queued = post(runtime.url('sleepy')!, 'after', 60_000) // waits behind the sleep
  const stats = runtime.stats('sleepy') // from the call slot: the thread cannot answer

  let rounds = 0
  for (; Date.now() - started < 11_000; rounds++) {
    const [a, b, web] = await Promise.all([
      post(runtime.url('calm-a')!, `a${rounds}`, 2000),
      post(runtime.url('calm-b')!, `b${rounds}`, 2000),
      fetch(`${runtime.url('web')}/r${rounds}`, { signal: AbortSignal.timeout(2000) }),
    ])
    assert.is(await a.text(), `hello from wat: a${rounds}`)
    assert.is(await b.text(), `hello from wat: b${rounds}`)
    assert.is(web.status, 200)
    assert.is((await web.json()).path, `/r${rounds}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  assert.ok(rounds >= 20, `only ${rounds} rounds of requests in 11 s`)
  assert.is((await stats).memoryBytes, 65536)

  const slept = await sleep
  assert.is(slept.status, 200)
  assert.is(await slept.text(), 'slept 12000')
  assert.ok(Date.now() - started >= 12_000)
  assert.is(await (await queued).text(), 'slept after')
  assert.is(await (await post(runtime.url('sleepy')!, 'now')).text(), 'slept now')
  assert.equal(
    seen.filter((s) => s.state === 'exited'),
    [],
    'nobody exited',
  )
  for (const id of ['calm-a', 'calm-b', 'web', 'sleepy']) {
    const status = runtime.status(id)!
    assert.is(status.state, 'ready', id)
    assert.is(status.restartCount, 0, id)
  }
  assert.ok(!seen.some((s) => /probe failed/.test(s.message ?? '')), 'no probe failed')
})

test('a command sleeping past its deadline is not stopped for the sleep', async () => {
  const exited = exitOf(runtime, 'napper')
  await runtime.start(
    f.spec('napper', 'crasher', 'command', {
      env: { CRASH_AFTER_MS: '1500', CRASH_CODE: '5' },
      limits: { requestTimeoutMs: 500 },
    }),
  )
  const status = await exited
  assert.is(status.reason, 'Error')
  assert.is(status.exitCode, 5)
})

test.after(async () => {
  await runtime.close()
  f.cleanup()
})
test.run()
