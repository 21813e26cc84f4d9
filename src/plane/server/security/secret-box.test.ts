import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isShoalError } from '../../../core/index.ts'
import { createSecretBox, isSealed } from './secret-box.ts'

const tmp = () => mkdtempSync(join(tmpdir(), 'shoal-secret-box-'))
const text = (s: string) => new TextEncoder().encode(s)
const str = (b: Uint8Array) => new TextDecoder().decode(b)

function throwsWith(
  fn: () => unknown,
  code: 'Corrupt' | 'Internal' | 'Invalid',
  message: string | RegExp,
) {
  try {
    fn()
  } catch (err) {
    assert.ok(isShoalError(err, code), String(err))
    assert.match((err as Error).message, message)
    return
  }
  assert.unreachable('expected an error')
}

test('seal then open round-trips; the layout starts with the magic and key id', () => {
  const dir = tmp()
  const box = createSecretBox(dir)
  const sealed = box.seal(text('hunter2'), 'secrets/default/db')
  assert.ok(isSealed(sealed))
  assert.not.ok(isSealed(text('hunter2')))
  const id = box.primaryKeyId()
  assert.is(str(sealed.subarray(0, 16)), 'shoal:aesgcm:v1:')
  assert.is(sealed[16], id.length)
  assert.is(str(sealed.subarray(17, 17 + id.length)), id)
  assert.is(sealed.length, 17 + id.length + 12 + 'hunter2'.length + 16)
  assert.is(str(box.open(sealed, 'secrets/default/db')), 'hunter2')
  assert.is(str(box.open(box.seal(new Uint8Array()))), '')
  assert.is.not(
    Buffer.from(box.seal(text('x'))).toString('hex'),
    Buffer.from(box.seal(text('x'))).toString('hex'),
    'nonces differ',
  )
  rmSync(dir, { recursive: true })
})

test('the key file is 0600 and a second start reads the same key', () => {
  const dir = tmp()
  const sealed = createSecretBox(dir).seal(text('v'))
  assert.is(statSync(join(dir, 'secret-keys.json')).mode & 0o777, 0o600)
  assert.is(str(createSecretBox(dir).open(sealed)), 'v')
  rmSync(dir, { recursive: true })
})

test('changing any single byte fails clearly, never returns garbage', () => {
  const box = createSecretBox(tmp())
  const sealed = box.seal(text('hunter2-very-secret'), 'ctx')
  for (let i = 0; i < sealed.length; i++) {
    const bad = Uint8Array.from(sealed)
    bad[i]! ^= 0x01
    assert.throws(
      () => box.open(bad, 'ctx'),
      (err: unknown) => isShoalError(err) && /secret-box: /.test((err as Error).message),
      `byte ${i}`,
    )
  }
  throwsWith(() => box.open(sealed.subarray(0, 30), 'ctx'), 'Corrupt', 'truncated')
  throwsWith(() => box.open(text('plain value'), 'ctx'), 'Corrupt', 'not sealed')
  const ctBody = Uint8Array.from(sealed)
  ctBody[sealed.length - 20]! ^= 0x80
  throwsWith(() => box.open(ctBody, 'ctx'), 'Corrupt', 'authentication failed')
  throwsWith(() => box.open(sealed, 'other'), 'Corrupt', 'authentication failed')
})

test('a missing key id is named in the error', () => {
  const sealed = createSecretBox(tmp()).seal(text('v'))
  const other = createSecretBox(tmp())
  const id = new TextDecoder().decode(sealed.subarray(17, 17 + sealed[16]!))
  throwsWith(() => other.open(sealed), 'Internal', `key "${id}" is not in`)
})

test('rotate, re-encrypt, retire: values still open and the old key is gone', () => {
  const dir = tmp()
  const box = createSecretBox(dir)
  const oldId = box.primaryKeyId()
  const sealed = box.seal(text('v1'), 'c')
  const newId = box.rotate()
  assert.is.not(newId, oldId)
  assert.is(box.primaryKeyId(), newId)
  assert.is(str(box.open(sealed, 'c')), 'v1', 'old keys stay readable')
  assert.is(box.keyIdOf(box.seal(text('x'))), newId)
  const moved = box.reencrypt(sealed, 'c')
  assert.is(box.keyIdOf(moved), newId)
  assert.ok(box.reencrypt(moved, 'c') === moved, 'already primary: unchanged')
  throwsWith(() => box.retire(newId), 'Invalid', 'primary')
  box.retire(oldId)
  assert.equal(createSecretBox(dir).keyIds(), [newId])
  assert.is(str(createSecretBox(dir).open(moved, 'c')), 'v1')
  throwsWith(() => box.open(sealed, 'c'), 'Internal', `key "${oldId}"`)
  rmSync(dir, { recursive: true })
})

test('a damaged key file is reported, never replaced by a fresh key', () => {
  const dir = tmp()
  createSecretBox(dir)
  const file = join(dir, 'secret-keys.json')
  const before = readFileSync(file, 'utf8')
  writeFileSync(file, before.slice(0, 40))
  throwsWith(() => createSecretBox(dir), 'Corrupt', 'secret-keys.json is not valid JSON')
  writeFileSync(file, '{"version":1,"keys":[]}')
  throwsWith(() => createSecretBox(dir), 'Corrupt', 'valid key list')
  rmSync(dir, { recursive: true })
})

test.run()
