// Handlers through app.request() (no socket), mounted at /images the way the plane mounts them,
// with small synthetic components; the real sample images are in test/registry/.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Hono } from 'hono'
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isShoalError, memoryLogger } from '../../core/index.ts'
import { createRegistry, type Registry } from './index.ts'

const status: Record<string, number> = {
  NotFound: 404,
  Invalid: 422,
  BadRequest: 400,
  Conflict: 409,
  TooLarge: 413,
  Unsupported: 415,
}
function mount(r: Registry): Hono {
  const app = new Hono()
  app.onError((err, c) =>
    c.json({ message: err.message }, (isShoalError(err) ? (status[err.code] ?? 500) : 500) as 400),
  )
  app.route('/images', r.app)
  return app
}

/** A well-formed component: preamble + one custom section carrying `label`. */
function component(label: string, pad = 0): Uint8Array<ArrayBuffer> {
  const payload = Buffer.concat([
    Buffer.from([label.length]),
    Buffer.from(label),
    Buffer.alloc(pad, 1),
  ])
  if (payload.length > 127)
    return Uint8Array.from([
      0,
      0x61,
      0x73,
      0x6d,
      0x0d,
      0,
      1,
      0,
      0,
      (payload.length & 0x7f) | 0x80,
      payload.length >> 7,
      ...payload,
    ])
  return Uint8Array.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0, 0, payload.length, ...payload])
}
const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`

let dir = ''
let reg: Registry
let app: Hono
let log = memoryLogger()
const a = component('a', 200)
const b = component('b')
const put = (digest: string, body: Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}) =>
  app.request(`/images/blobs/${digest}`, { method: 'PUT', body, headers })
const putTag = (path: string, body: unknown) =>
  app.request(`/images/tags/${path}`, {
    method: 'PUT',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  })

test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoal-registry-'))
  log = memoryLogger()
  reg = createRegistry({ dir, logger: log, maxImageBytes: 1024 })
  app = mount(reg)
})
test.after.each(() => rmSync(dir, { recursive: true, force: true }))

test('push by digest: 201, then 200 for the same bytes; stored under blobs/sha256/<hex>', async () => {
  const first = await put(sha(a), a)
  assert.is(first.status, 201)
  assert.equal(await first.json(), { digest: sha(a), size: a.length, created: true })
  assert.is(first.headers.get('location'), `/images/blobs/${sha(a)}`)
  assert.is((await put(sha(a), a)).status, 200)
  assert.equal(readFileSync(join(dir, 'blobs/sha256', sha(a).slice(7))), Buffer.from(a))
  assert.equal(readdirSync(join(dir, 'tmp')), [])
})

test('a wrong digest is a 400 naming both; a core module and garbage are refused clearly', async () => {
  const wrong = await put(sha(b), a)
  assert.is(wrong.status, 400)
  const msg = ((await wrong.json()) as { message: string }).message
  assert.ok(msg.includes(sha(a)) && msg.includes(sha(b)), msg)
  assert.ok(
    log.lines.some(
      (l) =>
        l.msg === 'request refused' &&
        l.level === 'warn' &&
        String(l.fields?.err).includes('digest mismatch'),
    ),
  )
  const core = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0)
  const res = await put(sha(core), core)
  assert.is(res.status, 422)
  assert.match(
    ((await res.json()) as { message: string }).message,
    'registry: upload is a core WebAssembly module, not a component',
  )
  const junk = new TextEncoder().encode('#!/bin/sh\necho hi\n')
  assert.is((await put(sha(junk), junk)).status, 422)
  assert.is((await put('sha256:abc', a)).status, 400)
  assert.equal(readdirSync(join(dir, 'blobs/sha256')), [])
  assert.equal(readdirSync(join(dir, 'tmp')), [])
})

test('over maxImageBytes is a 413, by Content-Length or while streaming', async () => {
  const big = component('big', 2000)
  assert.is((await put(sha(big), big, { 'content-length': String(big.length) })).status, 413)
  assert.is((await reg.pushBlob(big).catch((e) => e)).code, 'TooLarge')
})

test('a tag body with no Content-Length is a 413 once past 64 KiB, without reading the rest', async () => {
  let pulled = 0
  const body = new ReadableStream<Uint8Array>(
    {
      pull: (c) =>
        pulled < 64 << 20
          ? ((pulled += 4096), c.enqueue(new Uint8Array(4096).fill(0x20)))
          : c.error(new Error('read 64 MiB')),
    },
    { highWaterMark: 0 },
  )
  const res = await app.request('/images/tags/a/1', {
    method: 'PUT',
    body,
    duplex: 'half',
    headers: { 'content-type': 'application/json' },
  } as RequestInit)
  assert.is(res.status, 413)
  assert.match(
    ((await res.json()) as { message: string }).message,
    'registry: a tag body is at most 65536 bytes',
  )
  assert.ok(pulled <= 65536 + 4096, `read ${pulled} bytes`)
})

test('tags move, digests do not; history keeps the earlier digest; state survives a restart', async () => {
  await put(sha(a), a)
  await put(sha(b), b)
  const t1 = await putTag('hello/wat/1.0', {
    digest: sha(a),
    kind: 'http',
    world: 'handler',
    name: 'ignored',
  })
  assert.is(t1.status, 201)
  assert.is((await putTag('hello/wat/1.0', { digest: sha(a) })).status, 200)
  const moved = (await (await putTag('hello/wat/1.0', { digest: sha(b) })).json()) as {
    digest: string
    previous: string
    history: { digest: string }[]
  }
  assert.is(moved.digest, sha(b))
  assert.is(moved.previous, sha(a))
  assert.equal(
    moved.history.map((h) => h.digest),
    [sha(a)],
  )
  const again = createRegistry({ dir, logger: memoryLogger() })
  assert.is((await again.getTag('hello/wat', '1.0')).digest, sha(b))
  const m = await (await app.request(`/images/manifests/hello/wat/${sha(a)}`)).json()
  assert.equal(
    [m.digest, m.kind, m.world, m.size, m.tags],
    [sha(a), 'http', 'handler', a.length, []],
  )
})

test('tagging needs a stored digest and a valid name', async () => {
  assert.is((await putTag('x/1', { digest: sha(a) })).status, 422)
  await put(sha(a), a)
  assert.is((await putTag('Bad_Name/1', { digest: sha(a) })).status, 422)
  assert.is((await putTag('x/1', 'nope')).status, 400)
  assert.is((await putTag('x', { digest: sha(a) })).status, 400)
})

test('list, inspect, delete: a tagged blob is a 409 unless force', async () => {
  await put(sha(a), a)
  await putTag('app/1', { digest: sha(a), kind: 'command' })
  await putTag('app/latest', { digest: sha(a) })
  const list = (await (await app.request('/images')).json()) as {
    images: { digest: string; tags: string[]; kind: string; pushedAt: string }[]
  }
  assert.equal(
    list.images.map((i) => [i.digest, i.tags, i.kind]),
    [[sha(a), ['app:1', 'app:latest'], 'command']],
  )
  assert.ok(Date.parse(list.images[0].pushedAt) > 0)
  assert.is((await (await app.request('/images/tags/app/1')).json()).digest, sha(a))
  assert.is((await app.request('/images/tags/app/2')).status, 404)
  assert.is((await app.request(`/images/blobs/${sha(a)}`, { method: 'DELETE' })).status, 409)
  assert.is((await app.request('/images/tags/app/1', { method: 'DELETE' })).status, 200)
  const forced = await (
    await app.request(`/images/blobs/${sha(a)}?force=true`, { method: 'DELETE' })
  ).json()
  assert.equal(forced, { digest: sha(a), untagged: ['app:latest'] })
  assert.is((await app.request(`/images/blobs/${sha(a)}`)).status, 404)
  assert.equal((await (await app.request('/images')).json()).images, [])
})

test('pull: whole, ranges (206 + Content-Range), 416, HEAD, ETag', async () => {
  await put(sha(a), a)
  const url = `/images/blobs/${sha(a)}`
  const whole = await app.request(url)
  assert.is(whole.status, 200)
  assert.equal(
    [
      whole.headers.get('accept-ranges'),
      whole.headers.get('content-length'),
      whole.headers.get('etag'),
    ],
    ['bytes', String(a.length), `"${sha(a)}"`],
  )
  assert.equal(new Uint8Array(await whole.arrayBuffer()), a)
  const part = await app.request(url, { headers: { range: 'bytes=10-19' } })
  assert.is(part.status, 206)
  assert.is(part.headers.get('content-range'), `bytes 10-19/${a.length}`)
  assert.equal(new Uint8Array(await part.arrayBuffer()), a.slice(10, 20))
  const tail = await app.request(url, { headers: { range: 'bytes=100-' } })
  assert.equal(new Uint8Array(await tail.arrayBuffer()), a.slice(100))
  const bad = await app.request(url, { headers: { range: `bytes=${a.length}-` } })
  assert.equal([bad.status, bad.headers.get('content-range')], [416, `bytes */${a.length}`])
  const head = await app.request(url, { method: 'HEAD' })
  assert.equal(
    [head.status, head.headers.get('content-length'), await head.text()],
    [200, String(a.length), ''],
  )
  assert.is((await app.request(url, { headers: { 'if-none-match': `"${sha(a)}"` } })).status, 304)
  assert.is(
    (await app.request(url, { headers: { range: 'bytes=0-0', 'if-range': '"other"' } })).status,
    200,
  )
})

test.run()
