// importOci against a real distribution registry (Debian's docker-registry, distribution 2.8):
// the test pushes hello-wat in the wasm OCI artifact layout with plain OCI distribution calls,
// then imports it by tag and by manifest digest and serves it from the plane's registry.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { pullBlob, WASM_CONFIG_TYPE } from '../../src/plane/registry/index.ts'
import { cleanup, sampleImage, serveRegistry, tempDir, type Served } from './helpers.ts'

const BIN = '/usr/bin/docker-registry'
const installed = existsSync(BIN)
const dir = tempDir('oci-it')
const wat = sampleImage('hello-wat', dir)
const sha = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`
let child: ChildProcess | undefined
let oci = '' // http://127.0.0.1:<port>
let s: Served

async function freePort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const { port } = srv.address() as { port: number }
  await new Promise((r) => srv.close(r))
  return port
}

async function startDistribution(): Promise<void> {
  const port = await freePort()
  const config = join(dir, 'config.yml')
  writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'oci-store')}\nhttp:\n  addr: 127.0.0.1:${port}\n`,
  )
  child = spawn(BIN, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  child.stderr!.on('data', (d) => (log += d))
  oci = `http://127.0.0.1:${port}`
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`${oci}/v2/`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`docker-registry did not start:\n${log}`)
}

/** POST an upload, PUT it with ?digest= (the monolithic upload of the distribution spec). */
async function pushBlob(repo: string, bytes: Uint8Array): Promise<string> {
  const start = await fetch(`${oci}/v2/${repo}/blobs/uploads/`, { method: 'POST' })
  assert.is(start.status, 202, 'upload started')
  const location = new URL(start.headers.get('location')!, oci)
  location.searchParams.set('digest', sha(bytes))
  const put = await fetch(location, {
    method: 'PUT',
    body: new Uint8Array(bytes),
    headers: { 'content-type': 'application/octet-stream' },
  })
  assert.is(put.status, 201, `blob upload: ${await put.clone().text()}`)
  return sha(bytes)
}

/** hello-wat as a wasm OCI artifact at repo:tag; returns the manifest's digest. */
async function pushArtifact(repo: string, tag: string, layerType: string): Promise<string> {
  const config = new TextEncoder().encode(
    JSON.stringify({
      created: new Date().toISOString(),
      architecture: 'wasm',
      os: 'wasip2',
      layerDigests: [wat.digest],
      component: { exports: [], imports: [], target: null },
    }),
  )
  await pushBlob(repo, config)
  await pushBlob(repo, wat.bytes)
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: WASM_CONFIG_TYPE, digest: sha(config), size: config.length },
    layers: [{ mediaType: layerType, digest: wat.digest, size: wat.size }],
  })
  const res = await fetch(`${oci}/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    body: manifest,
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
  })
  assert.is(res.status, 201, `manifest: ${await res.clone().text()}`)
  return sha(manifest)
}

test.before(async () => {
  s = await serveRegistry({ dir: join(dir, 'plane-registry') })
  if (installed) await startDistribution()
})
test.after(async () => {
  child?.kill()
  await s.close()
  cleanup(dir)
})

test('a wasm OCI artifact pushed to docker-registry is imported by tag and served', async () => {
  if (!installed) return console.log('SKIPPED oci import: docker-registry not installed')
  await pushArtifact('hello/wat', '1.0', 'application/wasm')
  const port = new URL(oci).port
  const res = await s.registry.importOci(`oci://127.0.0.1:${port}/hello/wat:1.0`, {
    insecure: true,
  })
  assert.equal(
    [res.digest, res.size, res.name, res.tag, res.created],
    [wat.digest, wat.size, 'hello/wat', '1.0', true],
  )
  assert.is((await s.registry.getTag('hello/wat', '1.0')).digest, wat.digest)
  const head = await fetch(`${s.baseUrl}/blobs/${wat.digest}`, { method: 'HEAD' })
  assert.equal([head.status, head.headers.get('content-length')], [200, String(wat.size)])
  const dest = join(dir, 'pulled.wasm')
  await pullBlob({ baseUrl: s.baseUrl, digest: wat.digest, dest })
  assert.ok(readFileSync(dest).equals(wat.bytes))
})

test('the older layer media type and a pinned manifest digest import too', async () => {
  if (!installed) return console.log('SKIPPED oci import: docker-registry not installed')
  const manifestDigest = await pushArtifact(
    'legacy/wat',
    'v1',
    'application/vnd.wasm.content.layer.v1+wasm',
  )
  const port = new URL(oci).port
  const res = await s.registry.importOci(`oci://127.0.0.1:${port}/legacy/wat@${manifestDigest}`, {
    insecure: true,
  })
  assert.equal(
    [res.digest, res.manifestDigest, res.layerMediaType, res.created],
    [wat.digest, manifestDigest, 'application/vnd.wasm.content.layer.v1+wasm', false],
  )
  const missing = await s.registry
    .importOci(`oci://127.0.0.1:${port}/hello/wat:nope`, { insecure: true })
    .catch((e) => e)
  assert.is(missing.code, 'NotFound')
})

test.run()
