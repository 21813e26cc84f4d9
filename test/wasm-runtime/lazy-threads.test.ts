// A runtime with nothing to run starts no thread (each costs ≈ 12 MB: an agent with no pods
// should sit near a bare node process); warm() starts the service workers ahead of the first
// instance, and a start without warm() still gets one. Threads left with nothing to host end
// (≈ 2 s later), the shared I/O thread with the last of them; warm() on a runtime that hosts
// instances starts nothing (its JS pods need no service thread).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { createRuntime } from '../../src/wasm-runtime/index.ts'
import { fixture } from './images.ts'

const f = fixture()
const threads = () =>
  Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1])
const settle = () => new Promise((r) => setTimeout(r, 300))

test('no thread until warm() or the first start', async () => {
  await settle()
  const before = threads()
  const idle = createRuntime({ cacheDir: f.cacheDir, logDir: f.logDir, workers: 2 })
  await settle()
  assert.is(threads(), before, 'created: no thread')
  idle.warm()
  await settle()
  assert.ok(threads() >= before + 2, `warm: ${threads()} threads, ${before} before`)
  await idle.close()

  const cold = createRuntime({ cacheDir: f.cacheDir, logDir: f.logDir })
  await cold.start(f.spec('wat', 'hello-wat', 'handler'))
  const res = await fetch(cold.url('wat')!, { method: 'POST', body: 'pi' })
  assert.is(await res.text(), 'hello from wat: pi')
  await cold.close()
})

const until = async (what: string, ok: () => boolean) => {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 100))
  assert.ok(ok(), what)
}

test('idle threads end; warm() beside running instances starts none', async () => {
  await settle()
  const before = threads()
  const runtime = createRuntime({ cacheDir: f.cacheDir, logDir: f.logDir })
  await runtime.start(f.spec('wat', 'hello-wat', 'handler'))
  assert.ok(threads() >= before + 2, 'a service thread and the I/O thread')
  await runtime.stop('wat')
  await until(`emptied: back to ${before} threads (${threads()})`, () => threads() === before)

  runtime.warm()
  await settle()
  assert.ok(threads() >= before + 2, 'warmed')
  await until(`warmed, then nothing came: ${threads()} threads`, () => threads() === before)

  await runtime.start(f.spec('web', 'hello-http', 'http')) // one that may wait: a solo thread
  const running = threads()
  runtime.warm()
  await settle()
  assert.is(threads(), running, 'warm() with an instance running')
  const res = await fetch(runtime.url('web')!)
  assert.is(res.status, 200)
  await res.arrayBuffer()
  await runtime.close()
})

test.after(() => f.cleanup())
test.run()
