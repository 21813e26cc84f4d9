// Serving: http and handler instances behind their loopback URL, recycled without dropping a
// request, stats, readiness and liveness probes.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createRuntime, type InstanceStatus } from '../../src/wasm-runtime/index.ts'
import { fixture } from './images.ts'

const f = fixture()
const runtime = createRuntime({ cacheDir: f.cacheDir, logDir: f.logDir })
const seen: InstanceStatus[] = []
runtime.onStatus((s) => seen.push(s))

async function until(check: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !check(); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() > end) throw new Error('test: timed out waiting')
  }
}

test('handler kind: body in, body out over HTTP; stats count requests', async () => {
  const handle = await runtime.start(f.spec('wat', 'hello-wat', 'handler'))
  assert.is(handle.status.state, 'ready')
  assert.match(handle.status.url!, /^http:\/\/127\.0\.0\.1:\d+$/)
  for (let i = 0; i < 3; i++) {
    const response = await fetch(runtime.url('wat')!, { method: 'POST', body: `n=${i}` })
    assert.is(await response.text(), `hello from wat: n=${i}`)
  }
  const stats = await runtime.stats('wat')
  assert.is(stats.requests, 3)
  assert.is(stats.memoryBytes, 65536)
  assert.ok(stats.uptimeMs >= 0)
})

test('http kind recycled every 5 requests: 40 concurrent requests all answered', async () => {
  await runtime.start(
    f.spec('web', 'hello-http', 'http', { env: { POD_NAME: 'web' }, recycleAfterRequests: 5 }),
  )
  const url = runtime.url('web')!
  const answers = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      fetch(`${url}/r${i}`).then(async (r) => [r.status, (await r.json()).path]),
    ),
  )
  assert.equal(
    answers,
    Array.from({ length: 40 }, (_, i) => [200, `/r${i}`]),
  )
  // the counters come from the instance's thread, which may be busy recycling when first asked
  let stats = await runtime.stats('web')
  for (const end = Date.now() + 10_000; stats.requests < 40 && Date.now() < end;)
    stats = await runtime.stats('web')
  assert.is(stats.requests, 40)
  assert.ok(stats.recycles >= 4, `recycled ${stats.recycles} times`)
  assert.ok(stats.memoryBytes > 8 * 1048576, `memory ${stats.memoryBytes}`)
  assert.is(runtime.url('web'), url)
})

test('recycled when linear memory passes a threshold', async () => {
  await runtime.start(f.spec('wat-mem', 'hello-wat', 'handler', { recycleAfterMemoryBytes: 1 }))
  for (let i = 0; i < 3; i++)
    await (await fetch(runtime.url('wat-mem')!, { method: 'POST', body: 'x' })).text()
  await until(() => true)
  await new Promise((r) => setTimeout(r, 50))
  assert.ok((await runtime.stats('wat-mem')).recycles >= 2)
})

test('readiness probe: ready only after it passes', async () => {
  const spec = f.spec('probed', 'hello-http', 'http', {
    readinessProbe: { httpGet: { path: '/healthz' }, periodSeconds: 0.05 },
  })
  const handle = await runtime.start(spec)
  assert.is(handle.status.state, 'running')
  await until(() => runtime.status('probed')?.state === 'ready')
  assert.ok(seen.some((s) => s.id === 'probed' && s.state === 'running' && !s.ready))
})

test('liveness probe failure: reported, and the instance is replaced in place', async () => {
  const livenessProbe = {
    httpGet: { path: '/live' },
    periodSeconds: 0.05,
    timeoutSeconds: 0.000001,
    failureThreshold: 2,
  }
  await runtime.start(f.spec('sick', 'hello-wat', 'handler', { livenessProbe }))
  await until(() => (runtime.status('sick')?.restartCount ?? 0) >= 1)
  assert.ok(
    seen.some(
      (s) =>
        s.id === 'sick' && /^liveness probe failed: HTTP GET \/live failed/.test(s.message ?? ''),
    ),
  )
  await until(() => runtime.status('sick')?.state === 'ready')
  const response = await fetch(runtime.url('sick')!, { method: 'POST', body: 'alive' })
  assert.is(await response.text(), 'hello from wat: alive')
  await runtime.stop('sick')
})

test('stop: a service exits Completed and its URL is gone; the id can start again', async () => {
  await runtime.stop('wat', { graceMs: 5000 })
  const status = runtime.status('wat')!
  assert.is(status.state, 'exited')
  assert.is(status.reason, 'Completed')
  assert.is(runtime.url('wat'), undefined)
  await runtime.start(f.spec('wat', 'hello-wat', 'handler'))
  assert.is(runtime.status('wat')!.state, 'ready')
})

test('two concurrent starts of one id: exactly one wins', async () => {
  const results = await Promise.allSettled([
    runtime.start(f.spec('twin', 'hello-wat', 'handler')),
    runtime.start(f.spec('twin', 'hello-wat', 'handler')),
  ])
  assert.equal(results.map((r) => r.status).sort(), ['fulfilled', 'rejected'])
  assert.is(runtime.list().filter((s) => s.id === 'twin').length, 1)
})

test('a second start of a live id is refused', async () => {
  try {
    await runtime.start(f.spec('wat', 'hello-wat', 'handler'))
    assert.unreachable()
  } catch (error) {
    assert.match((error as Error).message, 'runtime: instance wat already exists')
  }
})

test.after(async () => {
  await runtime.close()
  f.cleanup()
})
test.run()
