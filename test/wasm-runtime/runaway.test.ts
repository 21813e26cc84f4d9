// A service that runs away inside a worker it shares with other instances: fuel ends that call
// (503, DeadlineExceeded) while the neighbours keep answering; with fuel effectively disabled
// (the instrumenter bypassed) the watchdog ends the whole worker, reports every instance on it,
// and the next start gets a fresh worker.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  createRuntime,
  type InstanceStatus,
  type Runtime,
  type RuntimeOptions,
} from '../../src/wasm-runtime/index.ts'
import { exitOf, fixture } from './images.ts'
import { buildSpinHandler } from './spin-handler.ts'

const f = fixture()
const spin = await buildSpinHandler(f.dir)

function runtimeWith(opts: Partial<RuntimeOptions>): Runtime {
  const runtime = createRuntime({ cacheDir: f.cacheDir, logDir: f.logDir, workers: 1, ...opts })
  runtimes.push(runtime)
  return runtime
}
const runtimes: Runtime[] = []
const post = (url: string, body: string) =>
  fetch(url, { method: 'POST', body, signal: AbortSignal.timeout(20_000) })

test('fuel: the runaway call ends within its deadline, neighbours in the same worker answer', async () => {
  const runtime = runtimeWith({})
  await runtime.start(f.spec('calm', 'hello-wat', 'handler'))
  await runtime.start({
    ...f.spec('wild', 'hello-wat', 'handler'),
    image: spin,
    limits: { requestTimeoutMs: 1000 },
  })
  assert.is(await (await post(runtime.url('wild')!, 'fine')).text(), 'hello from wat: fine')
  const exited = exitOf(runtime, 'wild')
  const runaway = post(runtime.url('wild')!, '!loop')
  const status = await exited
  const response = await runaway
  assert.is(response.status, 503)
  assert.is(status.reason, 'DeadlineExceeded')
  // ended by its fuel (CPU work, whatever the wall clock of a busy machine says), in its own
  // thread — not by the watchdog, which would have ended the thread and every neighbour in it
  assert.match(status.message ?? '', /CPU budget/)
  assert.is(
    await (await post(runtime.url('calm')!, 'still here')).text(),
    'hello from wat: still here',
  )
})

test('watchdog: without fuel the worker is ended, its instances reported, a new one starts', async () => {
  const runtime = runtimeWith({ hangMs: 500, fuelPerMs: 1e12 })
  const exits: InstanceStatus[] = []
  runtime.onStatus((s) => s.state === 'exited' && exits.push(s))
  await runtime.start(f.spec('calm', 'hello-wat', 'handler'))
  await runtime.start({
    ...f.spec('wild', 'hello-wat', 'handler'),
    image: spin,
    limits: { requestTimeoutMs: 100 },
  })
  const runaway = post(runtime.url('wild')!, '!loop').catch((error: Error) => error)
  const [wild, calm] = await Promise.all([exitOf(runtime, 'wild'), exitOf(runtime, 'calm')])
  assert.is(wild.reason, 'DeadlineExceeded')
  assert.match(
    wild.message!,
    /stopped answering .* inside a call far past its deadline; terminated/,
  )
  assert.is(calm.reason, 'Error')
  assert.match(calm.message!, /^runtime: worker thread stopped answering/)
  await runaway
  await runtime.start(f.spec('again', 'hello-wat', 'handler'))
  assert.is(await (await post(runtime.url('again')!, 'back')).text(), 'hello from wat: back')
})

test.after(async () => {
  await Promise.all(runtimes.map((r) => r.close()))
  f.cleanup()
})
test.run()
