// The registry with the real sample images over a real socket: push by digest (streamed),
// tag/retag, list, inspect, ranged and resumed pulls, and every refusal a user could meet.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createReadStream, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pullBlob } from '../../src/plane/registry/index.ts'
import {
  cleanup,
  coreModule,
  sampleImage,
  serveRegistry,
  tempDir,
  type SampleImage,
  type Served,
} from './helpers.ts'

const dir = tempDir('registry-it')
const wat = sampleImage('hello-wat', dir)
const http = sampleImage('hello-http', dir)
let s: Served

/** PUT the file as a stream (chunked, no Content-Length), the way a CLI would upload it. */
const push = (img: SampleImage, digest = img.digest) =>
  fetch(`${s.baseUrl}/blobs/${digest}`, {
    method: 'PUT',
    body: Readable.toWeb(createReadStream(img.path)) as ReadableStream,
    duplex: 'half',
    headers: { 'content-type': 'application/wasm' },
  } as RequestInit)
const putJson = (path: string, body: unknown) =>
  fetch(`${s.baseUrl}${path}`, {
    method: 'PUT',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  })
const getJson = async (path: string) => (await fetch(`${s.baseUrl}${path}`)).json()

test.before(async () => {
  s = await serveRegistry({ dir: join(dir, 'registry') })
})
test.after(async () => {
  await s.close()
  cleanup(dir)
})

test('push hello-wat and hello-http by digest; pushing again is idempotent', async () => {
  for (const img of [wat, http]) {
    const res = await push(img)
    assert.is(res.status, 201, img.name)
    assert.equal(await res.json(), { digest: img.digest, size: img.size, created: true })
    assert.is((await push(img)).status, 200)
  }
  assert.equal(readFileSync(join(dir, 'registry/blobs/sha256', http.digest.slice(7))), http.bytes)
})

test('tag with the image .json, retag: the tag moves, the digests do not', async () => {
  for (const img of [wat, http])
    assert.is(
      (
        await putJson(
          `/tags/${img.name}/${img.version}`,
          JSON.parse(readFileSync(join(dir, `${img.name}.json`), 'utf8')),
        )
      ).status,
      201,
    )
  assert.is((await putJson('/tags/demo/app/stable', { digest: wat.digest })).status, 201)
  const moved = await (await putJson('/tags/demo/app/stable', { digest: http.digest })).json()
  assert.equal(
    [moved.digest, moved.previous, moved.history.map((h: { digest: string }) => h.digest)],
    [http.digest, wat.digest, [wat.digest]],
  )
  assert.is((await getJson('/tags/hello-wat/0.1.0')).digest, wat.digest)
  const m = await getJson('/manifests/demo/app/stable')
  assert.equal(
    [m.digest, m.size, m.kind, m.world, m.tags],
    [http.digest, http.size, 'http', 'hello-http', ['demo/app:stable', 'hello-http:0.1.0']],
  )
  assert.is((await getJson(`/manifests/${wat.digest}`)).kind, wat.kind)
})

test('list shows each image with its tags, digest, size, kind and push time', async () => {
  const { images } = await getJson('')
  const byDigest = new Map(images.map((i: { digest: string }) => [i.digest, i]))
  const w = byDigest.get(wat.digest) as {
    tags: string[]
    size: number
    kind: string
    pushedAt: string
  }
  assert.equal([w.tags, w.size, w.kind], [['hello-wat:0.1.0'], wat.size, wat.kind])
  assert.ok(Math.abs(Date.parse(w.pushedAt) - Date.now()) < 60_000)
  assert.is(images.length, 2)
})

test('pull whole and by range; HEAD', async () => {
  const url = `${s.baseUrl}/blobs/${http.digest}`
  const head = await fetch(url, { method: 'HEAD' })
  assert.equal(
    [
      head.status,
      head.headers.get('content-length'),
      head.headers.get('accept-ranges'),
      head.headers.get('etag'),
    ],
    [200, String(http.size), 'bytes', `"${http.digest}"`],
  )
  const part = await fetch(url, { headers: { range: 'bytes=1000-1999' } })
  assert.equal(
    [part.status, part.headers.get('content-range'), part.headers.get('content-length')],
    [206, `bytes 1000-1999/${http.size}`, '1000'],
  )
  assert.equal(Buffer.from(await part.arrayBuffer()), http.bytes.subarray(1000, 2000))
  assert.is((await fetch(url, { headers: { range: `bytes=${http.size}-` } })).status, 416)
  const dest = join(dir, 'agent/images/hello-http.wasm')
  const res = await pullBlob({ baseUrl: s.baseUrl, digest: http.digest, dest })
  assert.equal([res.size, readFileSync(dest).equals(http.bytes)], [http.size, true])
})

test('a pull cut after 1 MiB resumes with Range and completes verified', async () => {
  const ranges: (string | null)[] = []
  let cut = true
  const cutting = (async (url: string, init?: RequestInit) => {
    ranges.push(new Headers(init?.headers).get('range'))
    const res = await fetch(url, init)
    if (!cut) return res
    cut = false
    let sent = 0
    const limit = 1 << 20
    const body = res.body!.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, ctl) {
          if (sent + chunk.length >= limit) {
            ctl.enqueue(chunk.slice(0, limit - sent))
            throw new Error('link dropped')
          }
          sent += chunk.length
          ctl.enqueue(chunk)
        },
      }),
    )
    return new Response(body, { status: res.status, headers: res.headers })
  }) as typeof fetch
  const progress: number[] = []
  const dest = join(dir, 'agent/resumed.wasm')
  await pullBlob({
    baseUrl: s.baseUrl,
    digest: http.digest,
    dest,
    fetch: cutting,
    retryDelayMs: 10,
    onProgress: (p) => progress.push(p.bytes),
  })
  assert.equal(ranges, [null, `bytes=${1 << 20}-`])
  assert.ok(readFileSync(dest).equals(http.bytes))
  assert.is(progress.at(-1), http.size)
})

test('refusals: wrong digest 400, core module and garbage 422 with clear messages', async () => {
  const wrong = await push(wat, http.digest)
  assert.is(wrong.status, 400)
  const { message } = await wrong.json()
  assert.ok(message.includes(wat.digest) && message.includes(http.digest), message)
  const core = coreModule(dir)
  const refusedCore = await fetch(`${s.baseUrl}/blobs/sha256:${'1'.repeat(64)}`, {
    method: 'PUT',
    body: new Uint8Array(core),
  })
  assert.is(refusedCore.status, 422)
  assert.is(
    (await refusedCore.json()).message,
    'registry: upload is a core WebAssembly module, not a component (build it with jco new / componentize)',
  )
  const garbage = await fetch(`${s.baseUrl}/blobs/sha256:${'2'.repeat(64)}`, {
    method: 'PUT',
    body: 'GIF89a not wasm at all',
  })
  assert.equal(
    [garbage.status, (await garbage.json()).message],
    [422, 'registry: upload is not WebAssembly (it does not start with \\0asm)'],
  )
  const truncated = await fetch(`${s.baseUrl}/blobs/sha256:${'3'.repeat(64)}`, {
    method: 'PUT',
    body: new Uint8Array(http.bytes.subarray(0, 5000)),
  })
  assert.is(truncated.status, 422)
  assert.match((await truncated.json()).message, 'registry: upload is truncated')
})

test('deleting a tagged blob is a 409; untagged it goes', async () => {
  const del = await fetch(`${s.baseUrl}/blobs/${wat.digest}`, { method: 'DELETE' })
  assert.is(del.status, 409)
  assert.match((await del.json()).message, 'still tagged as hello-wat:0.1.0')
  assert.is((await fetch(`${s.baseUrl}/tags/hello-wat/0.1.0`, { method: 'DELETE' })).status, 200)
  assert.is((await fetch(`${s.baseUrl}/blobs/${wat.digest}`, { method: 'DELETE' })).status, 200)
  assert.is((await fetch(`${s.baseUrl}/blobs/${wat.digest}`, { method: 'HEAD' })).status, 404)
})

test('an upload over maxImageBytes is a 413 (declared or streamed)', async () => {
  const small = await serveRegistry({ dir: join(dir, 'small'), maxImageBytes: 1 << 20 })
  try {
    const declared = await fetch(`${small.baseUrl}/blobs/${http.digest}`, {
      method: 'PUT',
      body: new Uint8Array(http.bytes),
    })
    assert.is(declared.status, 413)
    const streamed = await fetch(`${small.baseUrl}/blobs/${http.digest}`, {
      method: 'PUT',
      body: Readable.toWeb(createReadStream(http.path)) as ReadableStream,
      duplex: 'half',
    } as RequestInit)
    assert.is(streamed.status, 413)
    assert.match((await streamed.json()).message, 'over the 1048576-byte limit')
  } finally {
    await small.close()
  }
})

test('a corrupt blob on disk fails the pull verification clearly', async () => {
  const stored = join(dir, 'registry/blobs/sha256', http.digest.slice(7))
  const bytes = readFileSync(stored)
  bytes[bytes.length >> 1] ^= 0x01
  writeFileSync(stored, bytes)
  const dest = join(dir, 'agent/corrupt.wasm')
  const err = await pullBlob({ baseUrl: s.baseUrl, digest: http.digest, dest }).catch((e) => e)
  assert.is(err.code, 'Corrupt')
  assert.match(err.message, `registry: pulled ${http.size} bytes hash to sha256:`)
  assert.match(err.message, `not ${http.digest}; the partial download was deleted`)
  assert.not.ok(existsSync(dest) || existsSync(`${dest}.partial`))
})

test.run()
