// Secrets at rest: no value in plaintext anywhere under the data dir, and key rotation
// re-seals everything so the old key can be retired.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryLogger, systemClock } from '../../core/index.ts'
import { openLogStore } from '../store/index.ts'
import { createApiApp } from './app.ts'
import { ObjectStore } from './object-store.ts'
import { rotateSecretKeys, secretTransform } from './secret-keys.ts'
import { createSecretBox } from './security/index.ts'

const SECRET = 'hunter2-very-secret'

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? filesUnder(p) : [p]
  })
}

function leaks(dir: string): string[] {
  const needles = [SECRET, Buffer.from(SECRET).toString('base64')]
  return filesUnder(dir).filter((f) => {
    const text = readFileSync(f).toString('latin1')
    return needles.some((n) => text.includes(n))
  })
}

test('secret values never reach the disk in plaintext, and rotation retires the old key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-sec-'))
  const log = memoryLogger()
  const store = await openLogStore({ dir: join(dir, 'store'), logger: log })
  const box = createSecretBox(dir)
  const objects = new ObjectStore(store, { clock: systemClock, transform: secretTransform(box) })
  const app = createApiApp({
    objects,
    log,
    version: 't',
    ready: () => true,
    storeGauges: () => ({ revision: 0, compactRevision: 0 }),
  })
  const post = (path: string, body: unknown) =>
    app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  await post('/api/v1/namespaces', { metadata: { name: 'default' } })
  const manifest = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'db',
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
          stringData: { password: SECRET },
        }),
      },
    },
    stringData: { password: SECRET },
  }
  assert.is((await post('/api/v1/namespaces/default/secrets', manifest)).status, 201)
  const got = (await (await app.request('/api/v1/namespaces/default/secrets/db')).json()) as {
    data: { password: string }
  }
  assert.is(Buffer.from(got.data.password, 'base64').toString(), SECRET)
  assert.equal(leaks(dir), [], 'plaintext or base64 of the secret found on disk')
  assert.ok(
    log.lines.every((l) => !JSON.stringify(l).includes(SECRET)),
    'secret in a log line',
  )

  const oldKey = box.primaryKeyId()
  const r = await rotateSecretKeys(store, box, log)
  assert.is(r.resealed, 1)
  assert.equal(r.retired, [oldKey])
  assert.equal(box.keyIds(), [r.keyId])
  const again = (await (await app.request('/api/v1/namespaces/default/secrets/db')).json()) as {
    data: { password: string }
  }
  assert.is(Buffer.from(again.data.password, 'base64').toString(), SECRET)
  assert.equal(leaks(dir), [])
  const keyFile = statSync(join(dir, 'secret-keys.json'))
  assert.is(keyFile.mode & 0o777, 0o600)
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

test.run()
