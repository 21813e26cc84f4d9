// Images prepared at push, over a real socket with the real sample images: a push answers once
// the prepared image is stored; GET /prepared/<component> links it; pullBlob fetches it by its
// own digest (resumed, verified) and it decodes to the component's glue and core modules; a
// component stored before is prepared on the first ask; one the transpiler cannot take is
// refused at push; deleting a blob deletes its prepared image.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pullBlob } from '../../src/plane/registry/index.ts'
import { decodePrepared, kindOfExports } from '../../src/wasm-runtime/index.ts'
import { cleanup, sampleImage, serveRegistry, tempDir, type Served } from './helpers.ts'

const dir = tempDir('registry-prepared')
const wat = sampleImage('hello-wat', dir)
const crasher = sampleImage('crasher', dir)
let s: Served

const put = (digest: string, body: Uint8Array<ArrayBuffer>) =>
  fetch(`${s.baseUrl}/blobs/${digest}`, { method: 'PUT', body })

test.before(async () => {
  s = await serveRegistry({ dir: join(dir, 'registry'), prepareAtPush: true })
})
test.after(async () => {
  await s.close()
  cleanup(dir)
})

test('a push prepares the image; its record links the component to the prepared digest', async () => {
  const res = await put(wat.digest, new Uint8Array(wat.bytes))
  assert.is(res.status, 201)
  const pushed = (await res.json()) as { prepared: string }
  assert.match(pushed.prepared, /^sha256:[a-f0-9]{64}$/)
  const rec = await (await fetch(`${s.baseUrl}/prepared/${wat.digest}`)).json()
  assert.equal([rec.component, rec.digest, rec.exports], [wat.digest, pushed.prepared, ['handle']])
  assert.match(rec.transpiler, /^jco/)
  // pushing again is idempotent and names the same prepared image
  const again = (await (await put(wat.digest, new Uint8Array(wat.bytes))).json()) as {
    prepared: string
  }
  assert.is(again.prepared, pushed.prepared)
})

test('pullBlob fetches the prepared image by its digest, resuming a partial download', async () => {
  const rec = await (await fetch(`${s.baseUrl}/prepared/${wat.digest}`)).json()
  const whole = new Uint8Array(
    await (await fetch(`${s.baseUrl}/prepared/blobs/${rec.digest}`)).arrayBuffer(),
  )
  assert.is(whole.length, rec.size)
  const dest = join(dir, 'wat.prepared')
  writeFileSync(`${dest}.partial`, whole.subarray(0, 100))
  const pulled = await pullBlob({ baseUrl: `${s.baseUrl}/prepared`, digest: rec.digest, dest })
  assert.equal([pulled.resumedFrom, pulled.size], [100, rec.size])
  const image = decodePrepared(new Uint8Array(readFileSync(dest)), 'wat.prepared')
  assert.is(image.component, wat.digest)
  assert.is(kindOfExports(image.exports), 'handler')
  assert.ok(image.files['component.core.wasm'].length > 0)
  assert.match(new TextDecoder().decode(image.files['component.js']), /export function instantiate/)
})

test('a component stored without preparing is prepared on the first ask', async () => {
  const plain = await serveRegistry({ dir: join(dir, 'plain') })
  try {
    const res = await fetch(`${plain.baseUrl}/blobs/${crasher.digest}`, {
      method: 'PUT',
      body: new Uint8Array(crasher.bytes),
    })
    assert.equal(await res.json(), { digest: crasher.digest, size: crasher.size, created: true })
    const rec = await (await fetch(`${plain.baseUrl}/prepared/${crasher.digest}`)).json()
    assert.is(kindOfExports(rec.exports), 'command')
    const blob = await fetch(`${plain.baseUrl}/prepared/blobs/${rec.digest}`, {
      headers: { range: 'bytes=0-9' },
    })
    assert.equal([blob.status, blob.headers.get('content-range')], [206, `bytes 0-9/${rec.size}`])
    const missing = await fetch(`${plain.baseUrl}/prepared/${wat.digest}`)
    assert.is(missing.status, 404)
  } finally {
    await plain.close()
  }
})

test('a component with nothing to run is refused at push, and not stored', async () => {
  const payload = [1, 0x61, 0x61, 0x61] // one custom section: well-formed, but no core module
  const empty = Uint8Array.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0, 0, payload.length, ...payload])
  const { createHash } = await import('node:crypto')
  const digest = `sha256:${createHash('sha256').update(empty).digest('hex')}`
  const res = await put(digest, empty)
  assert.is(res.status, 422)
  assert.match(
    ((await res.json()) as { message: string }).message,
    /registry: the image cannot be prepared for nodes: .*holds no core module/,
  )
  assert.is((await fetch(`${s.baseUrl}/blobs/${digest}`)).status, 404)
})

test('a prepared image made by another jco version is made again, the old one deleted', async () => {
  const prepared = join(dir, 'registry', 'prepared')
  const link = join(prepared, 'links', `${wat.digest.slice(7)}.json`)
  const current = JSON.parse(readFileSync(link, 'utf8'))
  const old = `sha256:${'e'.repeat(64)}`
  writeFileSync(join(prepared, 'blobs', 'sha256', old.slice(7)), 'made by jco 0.0.1')
  writeFileSync(
    link,
    JSON.stringify({ ...current, digest: old, size: 17, transpiler: 'jco-0.0.1' }),
  )
  const rec = await (await fetch(`${s.baseUrl}/prepared/${wat.digest}`)).json()
  assert.equal([rec.digest, rec.transpiler], [current.digest, current.transpiler])
  assert.is((await fetch(`${s.baseUrl}/prepared/blobs/${old}`)).status, 404)
})

test('deleting a blob deletes its prepared image', async () => {
  const rec = await (await fetch(`${s.baseUrl}/prepared/${wat.digest}`)).json()
  assert.is((await fetch(`${s.baseUrl}/blobs/${wat.digest}`, { method: 'DELETE' })).status, 200)
  assert.is((await fetch(`${s.baseUrl}/prepared/blobs/${rec.digest}`)).status, 404)
  assert.is((await fetch(`${s.baseUrl}/prepared/${wat.digest}`)).status, 404)
})

test.run()
