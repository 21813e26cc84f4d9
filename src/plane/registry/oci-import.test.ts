// importOci against a fake distribution registry (a Hono app as fetch) that demands an
// anonymous Bearer token; the real docker-registry run is in test/registry/oci-import.test.ts.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Hono } from 'hono'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryLogger } from '../../core/index.ts'
import { createRegistry, type Registry } from './index.ts'
import { parseBearerChallenge } from './oci-client.ts'

const sha = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`
const wasm = Uint8Array.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0, 0, 2, 1, 0x77])
const config = '{"architecture":"wasm","os":"wasip2"}'
const manifest = (layerType: string, layer = wasm) =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: 'application/vnd.wasm.config.v0+json',
      digest: sha(config),
      size: config.length,
    },
    layers: [{ mediaType: layerType, digest: sha(layer), size: layer.length }],
  })

let dir = ''
let reg: Registry
let manifests: Record<string, string> = {}
let blobs: Record<string, Uint8Array> = {}
let tokens = 0
const fake = new Hono()
fake.get('/token', (c) => (tokens++, c.json({ token: `t-${c.req.query('scope')}` })))
fake.get('/v2/:rest{.+}', (c) => {
  if (!c.req.header('authorization')?.startsWith('Bearer t-repository:')) {
    return c.text('{"errors":[{"code":"UNAUTHORIZED"}]}', 401, {
      'WWW-Authenticate':
        'Bearer realm="https://oci.test/token",service="oci.test",scope="repository:team/app:pull"',
    })
  }
  const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(c.req.path)!
  if (m[2] === 'blobs')
    return blobs[m[3]] ? new Response(blobs[m[3]] as Uint8Array<ArrayBuffer>) : c.text('', 404)
  const body = manifests[`${m[1]}:${m[3]}`] ?? manifests[m[3]]
  return body
    ? c.body(body, 200, { 'Content-Type': JSON.parse(body).mediaType })
    : c.text('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}', 404)
})
const fetch = ((url: string | URL, init?: RequestInit) =>
  fake.request(String(url), init)) as typeof globalThis.fetch

function serve(tag: string, body: string): void {
  manifests[`team/app:${tag}`] = body
  manifests[sha(body)] = body
}

test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoal-oci-'))
  reg = createRegistry({ dir, logger: memoryLogger() })
  manifests = {}
  blobs = { [sha(wasm)]: wasm, [sha(config)]: new TextEncoder().encode(config) }
  tokens = 0
})
test.after.each(() => rmSync(dir, { recursive: true, force: true }))

test('the Bearer challenge is parsed', () => {
  assert.equal(
    parseBearerChallenge('Bearer realm="https://a/token",service="a",scope="repository:x:pull"'),
    { realm: 'https://a/token', service: 'a', scope: 'repository:x:pull' },
  )
  assert.is(parseBearerChallenge('Basic realm="x"'), undefined)
})

test('a wasm OCI artifact is imported through the token flow and tagged repo:tag', async () => {
  serve('1.0', manifest('application/wasm'))
  const res = await reg.importOci('oci://oci.test/team/app:1.0', { fetch })
  assert.equal(
    [res.digest, res.name, res.tag, res.layerMediaType, res.manifestDigest],
    [sha(wasm), 'team/app', '1.0', 'application/wasm', sha(manifest('application/wasm'))],
  )
  assert.is(tokens, 1)
  assert.is((await reg.getTag('team/app', '1.0')).digest, sha(wasm))
  assert.is((await reg.statBlob(sha(wasm))).source, 'oci://oci.test/team/app:1.0')
})

test('the older layer media type, an index and a pinned digest are accepted', async () => {
  const inner = manifest('application/vnd.wasm.content.layer.v1+wasm')
  manifests[sha(inner)] = inner
  const index = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: sha(inner),
        size: inner.length,
        platform: { architecture: 'wasm', os: 'wasip2' },
      },
    ],
  })
  serve('2.0', index)
  assert.is((await reg.importOci('oci://oci.test/team/app:2.0', { fetch })).digest, sha(wasm))
  const pinned = await reg.importOci(`oci://oci.test/team/app@${sha(inner)}`, { fetch })
  assert.equal([pinned.digest, pinned.tag], [sha(wasm), undefined])
})

test('not a wasm artifact, a wrong manifest digest, bad layer bytes and unknown tags fail clearly', async () => {
  serve('tar', manifest('application/vnd.oci.image.layer.v1.tar+gzip'))
  const notWasm = await reg.importOci('oci://oci.test/team/app:tar', { fetch }).catch((e) => e)
  assert.is(notWasm.code, 'Invalid')
  assert.match(
    notWasm.message,
    'is not a wasm OCI artifact: want exactly one layer of mediaType application/wasm',
  )
  serve('1.0', manifest('application/wasm'))
  const pinned = await reg
    .importOci(`oci://oci.test/team/app@${sha('other')}`, { fetch })
    .catch((e) => e)
  assert.is(pinned.code, 'NotFound')
  manifests[sha('other')] = manifest('application/wasm')
  const mismatch = await reg
    .importOci(`oci://oci.test/team/app@${sha('other')}`, { fetch })
    .catch((e) => e)
  assert.match(mismatch.message, 'digest mismatch: asked for manifest')
  blobs[sha(wasm)] = Uint8Array.from([...wasm.slice(0, -1), 0x78])
  const bad = await reg.importOci('oci://oci.test/team/app:1.0', { fetch }).catch((e) => e)
  assert.equal([bad.code, bad.message.includes(`expected ${sha(wasm)}`)], ['BadRequest', true])
  assert.is(
    (await reg.importOci('oci://oci.test/team/app:9', { fetch }).catch((e) => e)).code,
    'NotFound',
  )
  assert.is((await reg.importOci('hello:1.0', { fetch }).catch((e) => e)).code, 'Invalid')
  assert.equal(await reg.list(), [])
})

test.run()
