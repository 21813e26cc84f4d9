import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isShoalError } from '../../../core/index.ts'
import { createSecretBox } from './secret-box.ts'
import {
  SEALED_FIELD,
  reencryptStoredSecret,
  secretFromStorage,
  secretToStorage,
  storedSecretKeyId,
} from './secret-storage.ts'

const tmp = () => mkdtempSync(join(tmpdir(), 'shoal-secret-storage-'))
const b64 = (s: string) => Buffer.from(s).toString('base64')
const PLAIN = 'hunter2-very-secret'

const secret = () => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db', namespace: 'default', labels: { app: 'db' } },
  type: 'Opaque',
  data: { password: b64(PLAIN) },
  stringData: { user: 'admin-user-plain' },
})

test('toStorage seals data and stringData; fromStorage gives back the API object', () => {
  const box = createSecretBox(tmp())
  const stored = secretToStorage(box, secret())
  assert.not.ok('data' in stored)
  assert.not.ok('stringData' in stored)
  assert.type(stored[SEALED_FIELD], 'string')
  assert.equal(stored.metadata, secret().metadata)
  const back = secretFromStorage(box, stored)
  const { stringData: _, ...expected } = secret()
  assert.equal(back, { ...expected, data: { password: b64(PLAIN), user: b64('admin-user-plain') } })
})

test('no plaintext value (nor its base64) reaches the stored bytes', () => {
  const dir = tmp()
  const box = createSecretBox(dir)
  const file = join(dir, 'store.json')
  writeFileSync(file, JSON.stringify(secretToStorage(box, secret())))
  const onDisk = readFileSync(file)
  for (const needle of [PLAIN, b64(PLAIN), 'admin-user-plain', b64('admin-user-plain')]) {
    assert.is(onDisk.indexOf(needle), -1, needle)
  }
  rmSync(dir, { recursive: true })
})

test('a secret without data stores no sealed field; a sealed value cannot move to another secret', () => {
  const box = createSecretBox(tmp())
  const empty = secretToStorage(box, {
    metadata: { name: 'e', namespace: 'default' },
    type: 'Opaque',
  })
  assert.not.ok(SEALED_FIELD in empty)
  assert.equal(secretFromStorage(box, empty), {
    metadata: { name: 'e', namespace: 'default' },
    type: 'Opaque',
  })
  const stored = secretToStorage(box, secret())
  const moved = { ...stored, metadata: { ...stored.metadata, name: 'other' } }
  assert.throws(
    () => secretFromStorage(box, moved),
    (err: unknown) => isShoalError(err, 'Corrupt') && /authentication failed/.test(String(err)),
  )
  assert.throws(
    () => secretToStorage(box, { data: { a: 'YQ==' } }),
    (err: unknown) => isShoalError(err, 'Invalid'),
  )
})

test('after rotation every stored secret is re-encrypted, then the old key retires', () => {
  const dir = tmp()
  const box = createSecretBox(dir)
  const oldId = box.primaryKeyId()
  const stored = secretToStorage(box, secret())
  const newId = box.rotate()
  assert.is(storedSecretKeyId(box, stored), oldId)
  const next = reencryptStoredSecret(box, stored)
  assert.ok(next)
  assert.is(storedSecretKeyId(box, next!), newId)
  assert.is(reencryptStoredSecret(box, next!), undefined, 'already on the primary key')
  box.retire(oldId)
  assert.equal(secretFromStorage(createSecretBox(dir), next!).data?.password, b64(PLAIN))
  rmSync(dir, { recursive: true })
})

test.run()
