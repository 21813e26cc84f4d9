// The data dir is the plane user's alone: a pre-existing 0755 dir (and what an older version left
// in it) is made 0700 with a warning, and everything the plane writes — store segments, snapshots,
// LOCK, registry blobs and catalog, PKI, tokens, secret keys, kubeconfig — is 0600 in 0700 dirs.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createHash } from 'node:crypto'
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { memoryLogger } from '../core/index.ts'
import { createPlane } from './plane.ts'
import { openLogStore } from './store/index.ts'

/** "path mode" for every file and directory under dir, the dir itself first */
function modes(dir: string): string[] {
  const out = [`. ${(lstatSync(dir).mode & 0o777).toString(8)}`]
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name)
      const s = lstatSync(p)
      out.push(`${relative(dir, p)} ${(s.mode & 0o777).toString(8)}`)
      if (s.isDirectory()) walk(p)
    }
  }
  walk(dir)
  return out
}
const open = (lines: string[]) => lines.filter((l) => !/ (600|700)$/.test(l))

function put(
  url: string,
  body: string | Uint8Array,
  o: { ca: string; token: string; type: string; method?: string },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: o.method ?? 'PUT',
        ca: o.ca,
        headers: { authorization: `Bearer ${o.token}`, 'content-type': o.type },
      },
      (res) => (res.resume(), resolve(res.statusCode!)),
    )
    req.on('error', reject)
    req.end(body)
  })
}

test('a 0755 data dir is made 0700 (with a warning); every file the plane writes is 0600, every dir 0700', async () => {
  const root = mkdtempSync(join(tmpdir(), 'shoal-perm-'))
  const data = join(root, 'data')
  mkdirSync(join(data, 'registry'), { recursive: true })
  writeFileSync(join(data, 'registry', 'tags.json'), '{"version":1,"tags":{}}\n') // left by an older version
  chmodSync(join(data, 'registry', 'tags.json'), 0o644)
  chmodSync(join(data, 'registry'), 0o755)
  chmodSync(data, 0o755)
  const log = memoryLogger()
  const plane = await createPlane({ dataDir: data, listen: '127.0.0.1:0', logger: log })
  try {
    assert.ok(
      log.lines.some(
        (l) =>
          l.level === 'warn' &&
          /data dir was open to other users/.test(l.msg) &&
          l.fields?.was === '0755',
      ),
    )
    await plane.rotateSecretKeys()
    const kubeconfig = JSON.parse(readFileSync(plane.adminKubeconfig!, 'utf8'))
    assert.is(kubeconfig.clusters[0].cluster.server, plane.url, 'the port taken, not :0')
    const ca = Buffer.from(
      kubeconfig.clusters[0].cluster['certificate-authority-data'],
      'base64',
    ).toString()
    const auth = { ca, token: kubeconfig.users[0].user.token as string }
    // a real component: the registry prepares each one at push (and refuses what jco cannot take)
    const wasm = new Uint8Array(
      readFileSync(new URL('../../firmware-images/.build/hello-wat.wasm', import.meta.url)),
    )
    const digest = `sha256:${createHash('sha256').update(wasm).digest('hex')}`
    assert.is(
      await put(`${plane.url}/images/blobs/${digest}`, wasm, { ...auth, type: 'application/wasm' }),
      201,
    )
    assert.is(
      await put(`${plane.url}/images/tags/perm/1.0`, JSON.stringify({ digest }), {
        ...auth,
        type: 'application/json',
      }),
      201,
    )
    const secret = JSON.stringify({ metadata: { name: 's' }, stringData: { p: 'x' } })
    assert.is(
      await put(`${plane.url}/api/v1/namespaces/default/secrets`, secret, {
        ...auth,
        type: 'application/json',
        method: 'POST',
      }),
      201,
    )
    const now = modes(data)
    for (const f of [
      'store/LOCK',
      'store/wal',
      'pki/ca.key',
      'tokens.json',
      'admin.kubeconfig',
      'registry/images.json',
      `registry/blobs/sha256/${digest.slice(7)}`,
    ]) {
      assert.ok(
        now.some((l) => l.startsWith(`${f} `)),
        `${f} was written: ${now.join(', ')}`,
      )
    }
    assert.equal(open(now), [], 'nothing open to other users while running')
  } finally {
    await plane.close()
  }
  assert.equal(open(modes(data)), [], 'nothing open to other users after close')
  rmSync(root, { recursive: true, force: true })
})

test('store segments and snapshots are 0600 in 0700 dirs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-perm-store-'))
  const store = await openLogStore({
    dir: join(dir, 'store'),
    segmentBytes: 4 << 10,
    snapshotBytes: 8 << 10,
    logger: memoryLogger(),
  })
  for (let i = 0; i < 200; i++)
    await store.put(`/k/${i % 20}`, new TextEncoder().encode('v'.repeat(200)))
  await store.snapshot()
  const now = modes(join(dir, 'store'))
  assert.ok(
    now.some((l) => /^wal\/.*\.wal /.test(l)),
    `a segment: ${now.join(', ')}`,
  )
  assert.ok(
    now.some((l) => l.startsWith('snap/')),
    `a snapshot: ${now.join(', ')}`,
  )
  assert.equal(open(now), [])
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

test.run()
