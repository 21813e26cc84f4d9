// One preview2-shim I/O thread for the whole runtime: JS instances (which may wait in a host call;
// here, waitersPerThread: 1, each has a worker thread of its own) no longer bring an I/O thread each — three more of them
// are three more worker threads, not six — and each still gets its own requests, though the shim numbers
// every thread's first HTTP server 1. A thread that ends leaves no listener behind in the shared
// I/O thread: its port refuses connections rather than taking requests nobody will answer.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { createRuntime } from '../../src/wasm-runtime/index.ts'
import { Worker } from 'node:worker_threads'
import { fixture } from './images.ts'

const f = fixture()
const runtime = createRuntime({
  cacheDir: f.cacheDir,
  logDir: f.logDir,
  soloWorkers: 8,
  waitersPerThread: 1,
})
const threads = () =>
  Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1])
const settle = () => new Promise((r) => setTimeout(r, 500))
const get = (id: string) =>
  fetch(`${runtime.url(id)}/who`, { signal: AbortSignal.timeout(5000) }).then((r) => r.json())

/** Threads one worker thread brings that does not load the shim: itself and, as the runtime
 *  starts its threads under tsx, tsx's loader thread. */
async function threadsOfAThread(): Promise<number> {
  const before = threads()
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'))
  const code = `import(${tsx}).then((t) => t.register()); setInterval(() => {}, 1000)`
  const plain = new Worker(code, { eval: true })
  await settle()
  const added = threads() - before
  await plain.terminate()
  return added
}

test('three more JS instances are three more threads, each answering its own requests', async () => {
  await runtime.start(f.spec('js-0', 'hello-http', 'http', { env: { POD_NAME: 'js-0' } }))
  assert.is((await get('js-0')).pod, 'js-0')
  const perThread = await threadsOfAThread()
  await settle()
  const before = threads()
  for (const id of ['js-1', 'js-2', 'js-3'])
    await runtime.start(f.spec(id, 'hello-http', 'http', { env: { POD_NAME: id } }))
  await settle()
  assert.is(threads() - before, 3 * perThread, 'no I/O thread of their own')
  for (let round = 0; round < 3; round++)
    for (const id of ['js-0', 'js-1', 'js-2', 'js-3']) assert.is((await get(id)).pod, id)
})

/** How a request to `url` ends: its status, or the error's code (ECONNREFUSED, a timeout). */
async function outcome(url: string): Promise<number | string> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2000) })).status
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } }
    return e.cause?.code ?? e.name
  }
}

test("an ended thread's HTTP server is closed in the shared I/O thread", async () => {
  await runtime.start(f.spec('gone', 'hello-http', 'http', { env: { POD_NAME: 'gone' } }))
  const url = runtime.url('gone')!
  assert.is((await get('gone')).pod, 'gone')
  await runtime.stop('gone')
  // stopped: its thread answers 503 from the parked listener, then ends once idle (2 s)
  const seen = new Set<number | string>()
  for (let i = 0; i < 40; i++) {
    const result = await outcome(url)
    seen.add(result)
    if (result !== 503) break
    await new Promise((r) => setTimeout(r, 250))
  }
  assert.equal([...seen], [503, 'ECONNREFUSED'])
})

test.after(async () => {
  await runtime.close()
  f.cleanup()
})
test.run()
