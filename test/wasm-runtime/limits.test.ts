// Limits (slow): a spinner is stopped within its deadline (DeadlineExceeded) while another
// instance keeps answering; memhog ends OOMKilled at its memory limit with the process RSS
// bounded; crasher's exit code is reported as reason Error.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createRuntime } from '../../src/wasm-runtime/index.ts'
import { collect, exitOf, fixture } from './images.ts'

const f = fixture()
const runtime = createRuntime({ cacheDir: f.cacheDir, logDir: f.logDir })

test('spinner: stopped within its deadline, DeadlineExceeded; a neighbour answers meanwhile', async () => {
  await runtime.start(f.spec('web', 'hello-wat', 'handler'))
  const exited = exitOf(runtime, 'spin')
  const started = Date.now()
  await runtime.start(f.spec('spin', 'spinner', 'command', { limits: { requestTimeoutMs: 1500 } }))
  let answered = 0
  while (runtime.status('spin')?.state !== 'exited') {
    const response = await fetch(runtime.url('web')!, { method: 'POST', body: 'still there?' })
    if ((await response.text()) === 'hello from wat: still there?') answered++
    await new Promise((r) => setTimeout(r, 20))
  }
  const status = await exited
  assert.is(status.reason, 'DeadlineExceeded')
  assert.is(status.exitCode, 124)
  assert.match(status.message!, /CPU budget|past its deadline/)
  const ran = status.finishedAt! - status.startedAt!
  assert.ok(ran < 1500 + 300, `ran ${ran} ms (${Date.now() - started} ms since start() was called)`)
  assert.ok(answered >= 1, `the neighbour answered ${answered} times`)
  assert.is(runtime.status('web')!.state, 'ready')
})

test('spinner with half a core: still ends by its deadline', async () => {
  const exited = exitOf(runtime, 'spin-half')
  await runtime.start(
    f.spec('spin-half', 'spinner', 'command', {
      limits: { requestTimeoutMs: 800, cpuMillis: 500 },
    }),
  )
  const status = await exited
  assert.is(status.reason, 'DeadlineExceeded')
  assert.ok(
    status.finishedAt! - status.startedAt! < 800,
    `ran ${status.finishedAt! - status.startedAt!} ms`,
  )
})

test('an http call out of CPU budget: 503, DeadlineExceeded, and the neighbours in its worker go on', async () => {
  const exited = exitOf(runtime, 'web-slow')
  await runtime.start(
    f.spec('web-slow', 'hello-http', 'http', { limits: { requestTimeoutMs: 0.001 } }),
  )
  const response = await fetch(`${runtime.url('web-slow')}/`, { signal: AbortSignal.timeout(5000) })
  assert.is(response.status, 503)
  assert.match(await response.text(), /CPU budget/)
  assert.is((await exited).reason, 'DeadlineExceeded')
  assert.is((await fetch(runtime.url('web')!, { method: 'POST', body: 'x' })).status, 200)
})

test('memhog: OOMKilled at its memory limit, process RSS bounded', async () => {
  const limit = 96 * 1024 * 1024
  const before = process.memoryUsage().rss
  const exited = exitOf(runtime, 'hog')
  await runtime.start(f.spec('hog', 'memhog', 'command', { limits: { memoryBytes: limit } }))
  let peak = before
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10)
  const status = await exited
  clearInterval(sampler)
  assert.is(status.reason, 'OOMKilled')
  assert.is(status.exitCode, 137)
  assert.match(status.message!, /memory limit reached \(9\d\.\d MiB of 96\.0 MiB\)/)
  const lines = await collect(runtime.logs('hog'))
  assert.ok(
    lines.some((l) => /memhog: out of memory after 9\d MiB/.test(l)),
    lines.join('\n'),
  )
  const grew = (peak - before) / 1048576
  assert.ok(grew < 96 + 150, `RSS grew by ${grew.toFixed(0)} MiB`)
})

test('an http instance that outgrows its memory limit ends OOMKilled; its neighbour keeps serving', async () => {
  const initial = 9502720 // hello-http's linear memory at start
  const exited = exitOf(runtime, 'web-oom')
  await runtime.start(
    f.spec('web-oom', 'hello-http', 'http', {
      limits: { memoryBytes: initial + 4 * 65536 },
      recycleAfterMemoryBytes: 1e12,
    }),
  )
  const url = runtime.url('web-oom')!
  let served = 0
  while (runtime.status('web-oom')!.state !== 'exited' && served < 5000) {
    const response = await fetch(`${url}/${'x'.repeat(1000)}`, {
      signal: AbortSignal.timeout(10_000),
    }).catch(() => undefined)
    if (response?.status === 200) served++
    // the instance may be killed while its answer is still coming: undici then rejects the body with "terminated"
    await response?.arrayBuffer().catch(() => undefined)
  }
  const status = await exited
  assert.is(status.reason, 'OOMKilled', status.message)
  assert.ok(served > 10, `served ${served} requests first`)
  assert.is((await fetch(runtime.url('web')!, { method: 'POST', body: 'x' })).status, 200)
})

test('memory limit below what the image needs at start: a clear error', async () => {
  try {
    await runtime.start(
      f.spec('tiny', 'hello-http', 'http', { limits: { memoryBytes: 1024 * 1024 } }),
    )
    assert.unreachable('should fail')
  } catch (error) {
    assert.match(
      (error as Error).message,
      /^runtime: cannot apply limits to component\.core\.wasm: wasm: /,
    )
  }
})

test('crasher: its exit code is reported as reason Error', async () => {
  const exited = exitOf(runtime, 'crash')
  await runtime.start(
    f.spec('crash', 'crasher', 'command', { env: { CRASH_AFTER_MS: '50', CRASH_CODE: '42' } }),
  )
  const status = await exited
  assert.is(status.reason, 'Error')
  assert.is(status.exitCode, 42)
  assert.is(status.message, 'exited with code 42')
  const lines = await collect(runtime.logs('crash'))
  assert.equal(lines, [
    'crasher: started, exiting with code 42 in 50 ms',
    'crasher: crashing now (code 42)',
  ])
})

test('stop: a running command is killed after its grace period, the runtime goes on', async () => {
  const exited = exitOf(runtime, 'spin-stop')
  await runtime.start(f.spec('spin-stop', 'spinner', 'command'))
  for await (const line of runtime.logs('spin-stop', { follow: true }))
    if (line.includes('spinning forever')) break
  await runtime.stop('spin-stop', { graceMs: 100 })
  const status = await exited
  assert.is(status.reason, 'Error')
  assert.is(status.exitCode, 137)
  const response = await fetch(runtime.url('web')!, { method: 'POST', body: 'x' })
  assert.is(response.status, 200)
})

test.after(async () => {
  await runtime.close()
  f.cleanup()
})
test.run()
