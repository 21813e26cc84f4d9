// Images prepared once, elsewhere (the plane's registry at push): prepareComponent() makes one
// verifiable file of a sample image; a runtime that may not transpile (the node agent's) runs it
// and answers, unpacking it rather than transpiling, and refuses a bare component, a damaged
// prepared file and one made from another component — each with a sentence saying which.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  createRuntime,
  decodePrepared,
  kindOfExports,
  prepareComponent,
} from '../../src/wasm-runtime/index.ts'
import { fixture } from './images.ts'

const f = fixture()
const runtime = createRuntime({ cacheDir: f.cacheDir, logDir: f.logDir, transpile: false })
const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`
const wat = f.image('hello-wat')
let preparedPath = ''
let prepared = ''

test.after(async () => {
  await runtime.close()
  f.cleanup()
})

test('prepareComponent: one file holding the glue, the core modules and the exports', async () => {
  const bytes = await prepareComponent(new Uint8Array(readFileSync(wat.path)), wat.digest)
  preparedPath = join(f.dir, 'hello-wat.prepared')
  writeFileSync(preparedPath, bytes)
  prepared = sha(bytes)
  const image = decodePrepared(bytes, 'hello-wat.prepared')
  assert.is(image.component, wat.digest)
  assert.match(image.transpiler, /^jco/)
  assert.equal(Object.keys(image.files), ['component.core.wasm', 'component.js'])
  assert.is(kindOfExports(image.exports), 'handler')
  // the same component prepares to the same bytes: the prepared digest is stable
  const again = await prepareComponent(new Uint8Array(readFileSync(wat.path)), wat.digest)
  assert.is(sha(again), prepared)
})

test('a runtime that does not transpile runs the prepared image, unpacked', async () => {
  const spec = f.spec('w1', 'hello-wat', 'handler', {
    image: { digest: wat.digest, path: preparedPath, prepared },
  })
  await runtime.start(spec)
  const res = await fetch(runtime.url('w1')!, { method: 'POST', body: 'pi' })
  assert.is(await res.text(), 'hello from wat: pi')
  const cached = readdirSync(f.cacheDir)
  assert.ok(
    cached.some((d) => d.includes('-prepared-')),
    cached.join(' '),
  )
  assert.not.ok(
    cached.some((d) => d.includes('jco')),
    `nothing transpiled here: ${cached.join(' ')}`,
  )
  await runtime.stop('w1')
})

test('it refuses a bare component: it does not transpile', async () => {
  const err = await runtime.start(f.spec('w2', 'hello-wat', 'handler')).catch((e: Error) => e)
  assert.instance(err, Error)
  assert.match((err as Error).message, /came without its prepared form.*does not transpile/)
})

test('a damaged prepared file, or one made from another component, is refused', async () => {
  const damaged = join(f.dir, 'damaged.prepared')
  const bytes = readFileSync(preparedPath)
  bytes[bytes.length - 10] ^= 0xff
  writeFileSync(damaged, bytes)
  const spec = (id: string, path: string, digest = wat.digest) =>
    f.spec(id, 'hello-wat', 'handler', { image: { digest, path, prepared } })
  const e1 = await runtime.start(spec('w3', damaged)).catch((e: Error) => e)
  assert.match((e1 as Error).message, /damaged\.prepared has digest sha256:.*but the spec wants/)
  const other = f.image('hello-http').digest
  const e2 = await runtime.start(spec('w4', preparedPath, other)).catch((e: Error) => e)
  assert.match((e2 as Error).message, /was made from sha256:.*but the spec wants/)
})

test.run()
