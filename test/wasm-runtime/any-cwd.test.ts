// Under tsx the runtime works whatever the current directory: its threads (host, transpile,
// instrument) find tsx from the runtime's own files, not from the cwd. A child process started
// in a temp dir outside the project transpiles, instruments and serves hello-wat.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fixture } from './images.ts'

const f = fixture()

test('a runtime in a process whose cwd is outside the project starts and serves a component', () => {
  const runtimeUrl = new URL('../../src/wasm-runtime/index.ts', import.meta.url).href
  const spec = f.spec('wat', 'hello-wat', 'handler')
  const script = `
    const { createRuntime } = await import(${JSON.stringify(runtimeUrl)})
    const runtime = createRuntime({ cacheDir: ${JSON.stringify(f.cacheDir)}, logDir: ${JSON.stringify(f.logDir)} })
    try {
      await runtime.start(${JSON.stringify(spec)})
      const response = await fetch(runtime.url('wat'), { method: 'POST', body: 'from afar' })
      console.log(await response.text())
    } finally {
      await runtime.close()
    }`
  writeFileSync(join(f.dir, 'serve-once.mjs'), script)
  const child = spawnSync(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), 'serve-once.mjs'],
    { cwd: f.dir, encoding: 'utf8', timeout: 120_000 },
  )
  assert.is(child.stdout.trim(), 'hello from wat: from afar', child.stderr)
  assert.is(child.status, 0, child.stderr)
})

test.after(() => f.cleanup())
test.run()
