// A runtime with nothing to run starts no thread (each costs ≈ 20 MiB: an agent with no pods
// should sit near a bare node process); warm() starts the service workers ahead of the first
// instance, and a start without warm() still gets one.
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

test.after(() => f.cleanup())
test.run()
