// Bad images end in a clear InvalidError for the caller, never a crash: a corrupt file, a core
// module where a component belongs, a digest that does not match, a file that is not there.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isShoalError } from '../../src/core/index.ts'
import { createRuntime } from '../../src/wasm-runtime/index.ts'
import { fixture } from './images.ts'

const f = fixture()
const runtime = createRuntime({ cacheDir: f.cacheDir, logDir: f.logDir })
const digestOf = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`

async function startError(path: string, digest: string): Promise<Error> {
  try {
    await runtime.start({ ...f.spec('bad', 'hello-wat', 'handler'), image: { path, digest } })
  } catch (error) {
    return error as Error
  }
  throw new Error('start should have failed')
}

test('a corrupt .wasm is refused, naming the file', async () => {
  const path = join(f.dir, 'corrupt.wasm')
  const bytes = new Uint8Array(readFileSync(f.image('hello-wat').path)).subarray(0, 100)
  bytes.set([0xde, 0xad, 0xbe, 0xef], 0)
  writeFileSync(path, bytes)
  const error = await startError(path, digestOf(bytes))
  assert.ok(isShoalError(error, 'Invalid'))
  assert.match(error.message, /^runtime: corrupt\.wasm is not a WebAssembly component/)
})

test('a core module instead of a component is refused', async () => {
  const path = join(f.dir, 'core.wasm')
  const core = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00])
  writeFileSync(path, core)
  const error = await startError(path, digestOf(core))
  assert.ok(isShoalError(error, 'Invalid'))
  assert.match(error.message, /core\.wasm is not a WebAssembly component .*a core module/)
})

test('a truncated component (right preamble, damaged body) is refused by jco, not a crash', async () => {
  const path = join(f.dir, 'truncated.wasm')
  const bytes = new Uint8Array(readFileSync(f.image('crasher').path)).subarray(0, 4000)
  writeFileSync(path, bytes)
  const error = await startError(path, digestOf(bytes))
  assert.ok(isShoalError(error, 'Invalid'))
  assert.match(error.message, /^runtime: jco cannot transpile sha256:/)
})

test('a digest mismatch is refused with both digests', async () => {
  const { path, digest } = f.image('hello-wat')
  const wrong = `sha256:${'0'.repeat(64)}`
  const error = await startError(path, wrong)
  assert.ok(isShoalError(error, 'Invalid'))
  assert.match(error.message, `has digest ${digest}, but the spec wants ${wrong}`)
})

test('a malformed digest and a missing file are refused', async () => {
  assert.match(
    (await startError(f.image('hello-wat').path, 'md5:abc')).message,
    /is not sha256:<64 hex digits>/,
  )
  assert.match(
    (await startError(join(f.dir, 'nope.wasm'), `sha256:${'1'.repeat(64)}`)).message,
    /^runtime: cannot read image/,
  )
})

test('after all that the runtime still starts a good image', async () => {
  await runtime.start(f.spec('good', 'hello-wat', 'handler'))
  const response = await fetch(runtime.url('good')!, { method: 'POST', body: 'ok?' })
  assert.is(await response.text(), 'hello from wat: ok?')
  assert.is(runtime.status('bad'), undefined)
})

test.after(async () => {
  await runtime.close()
  f.cleanup()
})
test.run()
