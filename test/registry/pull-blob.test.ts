// pullBlob (core) against the plane's registry: whole, resumed, verified, refused.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { isShoalError, memoryLogger, pullBlob, type PullProgress } from '../../src/core/index.ts'
import { createRegistry } from '../../src/plane/registry/index.ts'

const bytes = Uint8Array.from([
  0,
  0x61,
  0x73,
  0x6d,
  0x0d,
  0,
  1,
  0,
  0,
  0xe8,
  0x07,
  1,
  0x78,
  ...new Array(998).fill(5),
])
const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
const baseUrl = 'http://registry.test/images'
let dir = ''
let app: Hono
let ranges: (string | null)[] = []

/** fetch into the app; the first `cuts` responses die after `after` body bytes. */
function fetchCutting(cuts: number, after: number): typeof fetch {
  return (async (url: string, init?: RequestInit) => {
    ranges.push(new Headers(init?.headers).get('range'))
    const res = await app.request(url, init)
    if (cuts-- <= 0 || !res.body) return res
    const reader = res.body.getReader()
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      async pull(ctl) {
        const { value, done } = await reader.read()
        if (done) return ctl.close()
        if (sent + value.length > after) {
          ctl.enqueue(value.slice(0, after - sent))
          return ctl.error(new Error('connection reset'))
        }
        sent += value.length
        ctl.enqueue(value)
      },
    })
    return new Response(body, { status: res.status, headers: res.headers })
  }) as typeof fetch
}

test.before.each(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shoal-pull-'))
  const reg = createRegistry({ dir: join(dir, 'registry'), logger: memoryLogger() })
  await reg.pushBlob(bytes, { digest })
  app = new Hono().route('/images', reg.app)
  app.onError((err, c) =>
    c.json({ message: err.message }, isShoalError(err, 'NotFound') ? 404 : 500),
  )
  ranges = []
})
test.after.each(() => rmSync(dir, { recursive: true, force: true }))

test('a whole pull lands at dest, verified, with progress up to the total', async () => {
  const seen: PullProgress[] = []
  const dest = join(dir, 'images', 'a.wasm')
  const res = await pullBlob({
    baseUrl,
    digest,
    dest,
    fetch: fetchCutting(0, 0),
    onProgress: (p) => seen.push(p),
  })
  assert.equal(res, { digest, size: bytes.length, path: dest, resumedFrom: 0 })
  assert.equal(new Uint8Array(readFileSync(dest)), bytes)
  assert.equal(seen.at(-1), { bytes: bytes.length, total: bytes.length })
  assert.not.ok(existsSync(`${dest}.partial`))
})

test('a body cut mid-way is resumed with a Range request and completes', async () => {
  const dest = join(dir, 'b.wasm')
  const res = await pullBlob({
    baseUrl,
    digest,
    dest,
    fetch: fetchCutting(1, 300),
    retryDelayMs: 1,
  })
  assert.equal(ranges, [null, 'bytes=300-'])
  assert.is(res.size, bytes.length)
  assert.equal(new Uint8Array(readFileSync(dest)), bytes)
})

test('a pull that gives up keeps its partial file; the next one resumes from it', async () => {
  const dest = join(dir, 'c.wasm')
  const err = await pullBlob({
    baseUrl,
    digest,
    dest,
    fetch: fetchCutting(1, 400),
    attempts: 1,
  }).catch((e) => e)
  assert.is(err.code, 'Unavailable')
  assert.match(err.message, 'stopped after 400 bytes')
  assert.is(readFileSync(`${dest}.partial`).length, 400)
  const res = await pullBlob({ baseUrl, digest, dest, fetch: fetchCutting(0, 0) })
  assert.is(res.resumedFrom, 400)
  assert.equal(ranges.at(-1), 'bytes=400-')
  assert.equal(new Uint8Array(readFileSync(dest)), bytes)
})

test('a complete partial file (416) is verified and placed', async () => {
  const dest = join(dir, 'd.wasm')
  writeFileSync(`${dest}.partial`, bytes)
  assert.is(
    (await pullBlob({ baseUrl, digest, dest, fetch: fetchCutting(0, 0) })).size,
    bytes.length,
  )
  assert.equal(new Uint8Array(readFileSync(dest)), bytes)
})

test('bytes that do not hash to the digest fail clearly and delete the partial file', async () => {
  const stored = join(dir, 'registry', 'blobs', 'sha256', digest.slice(7))
  const flipped = readFileSync(stored)
  flipped[500] ^= 0xff
  writeFileSync(stored, flipped)
  const dest = join(dir, 'e.wasm')
  const err = await pullBlob({ baseUrl, digest, dest, fetch: fetchCutting(0, 0) }).catch((e) => e)
  assert.is(err.code, 'Corrupt')
  assert.match(err.message, `not ${digest}; the partial download was deleted`)
  assert.not.ok(existsSync(dest) || existsSync(`${dest}.partial`))
})

test('an unknown digest is NotFound at once', async () => {
  const other = `sha256:${'0'.repeat(64)}`
  const err = await pullBlob({
    baseUrl,
    digest: other,
    dest: join(dir, 'f.wasm'),
    fetch: fetchCutting(0, 0),
  }).catch((e) => e)
  assert.is(err.code, 'NotFound')
  assert.is(ranges.length, 1)
})

test.run()
