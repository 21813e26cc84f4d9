// stats() of a command that is running: its thread is inside the one long call `run`, so it cannot
// answer a message; the answer comes at once from the shared call slot, with the instance's real
// linear-memory size (as of its last call out to the host), not after a timeout with 0.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createRuntime } from '../../src/wasm-runtime/index.ts'
import { collect, exitOf, fixture } from './images.ts'

const f = fixture()
const runtime = createRuntime({ cacheDir: f.cacheDir, logDir: f.logDir })

async function firstLine(id: string): Promise<void> {
  while ((await collect(runtime.logs(id))).length === 0) await new Promise((r) => setTimeout(r, 20))
}

test('a sleeping command: stats answer before the worker could, with its memory size', async () => {
  const env = { CRASH_AFTER_MS: '3000', CRASH_CODE: '0' }
  const exited = exitOf(runtime, 'sleeper')
  await runtime.start(f.spec('sleeper', 'crasher', 'command', { env }))
  await firstLine('sleeper') // now inside nanosleep: the job thread is blocked
  // no timing assertion (a loaded machine): the old path timed out and answered 0 bytes
  const stats = await runtime.stats('sleeper')
  assert.ok(stats.memoryBytes > 0, `memoryBytes ${stats.memoryBytes}`)
  assert.is(stats.memoryBytes % 65536, 0)
  assert.ok(stats.uptimeMs > 0)
  assert.is(runtime.status('sleeper')!.state, 'running')
  await runtime.stop('sleeper', { graceMs: 100 })
  assert.is((await exited).state, 'exited')
})

test.after(async () => {
  await runtime.close()
  f.cleanup()
})
test.run()
