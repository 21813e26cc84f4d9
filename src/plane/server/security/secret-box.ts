// Encryption at rest for Secret values: AES-256-GCM with keys from <dataDir>/secret-keys.json
// (0600, { "version": 1, "keys": [{ "id", "key" (base64, 32 bytes), "created" }] }; the last key
// is the primary, older ones are kept for reading until retired).
//
// Sealed value, byte by byte:
//   offset      size  field
//   0           16    magic "shoal:aesgcm:v1:" (ASCII)
//   16          1     L, length of the key id (1..64)
//   17          L     key id (ASCII)
//   17+L        12    nonce, random per seal
//   29+L        n     ciphertext (n = plaintext length)
//   29+L+n      16    GCM authentication tag
// Additional authenticated data: bytes [0, 17+L) (magic, length, key id) followed by the UTF-8
// context, if any (e.g. "secrets/default/db"), so a sealed value moved to another object, or with
// its key id swapped, fails to open instead of yielding data.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { CorruptError, InvalidError, ShoalError } from '../../../core/index.ts'
import { readTextIfExists, writePrivateFile } from './private-file.ts'

const MAGIC = Buffer.from('shoal:aesgcm:v1:')
const NONCE = 12
const TAG = 16

export interface SecretBox {
  seal(plaintext: Uint8Array, context?: string): Uint8Array
  /** throws (never returns garbage): not sealed, truncated, unknown key id, authentication failed */
  open(sealed: Uint8Array, context?: string): Uint8Array
  /** the key id a sealed value was made with */
  keyIdOf(sealed: Uint8Array): string
  primaryKeyId(): string
  keyIds(): string[]
  /** adds a new primary key; old keys stay readable. Returns the new id. */
  rotate(): string
  /** the value sealed with the primary key; the same array when it already is */
  reencrypt(sealed: Uint8Array, context?: string): Uint8Array
  /** drops a non-primary key: re-encrypt everything sealed with it first */
  retire(keyId: string): void
}

interface KeyEntry {
  id: string
  key: string
  created: string
}

export function isSealed(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC.length && Buffer.from(bytes.buffer, bytes.byteOffset, MAGIC.length).equals(MAGIC)
}

export function createSecretBox(dataDir: string, opts: { now?: () => Date } = {}): SecretBox {
  const file = join(dataDir, 'secret-keys.json')
  const now = opts.now ?? (() => new Date())
  const newKey = (): KeyEntry => ({ id: `k-${randomBytes(6).toString('hex')}`, key: randomBytes(32).toString('base64'), created: now().toISOString() })
  let keys = loadKeys(file)
  const save = (next: KeyEntry[]) => {
    writePrivateFile(file, JSON.stringify({ version: 1, keys: next }, null, 2) + '\n')
    keys = next
  }
  if (keys.length === 0) save([newKey()])
  const primary = () => keys[keys.length - 1]!
  const keyFor = (id: string) => {
    const entry = keys.find((k) => k.id === id)
    if (!entry) throw new ShoalError('Internal', `secret-box: key "${id}" is not in ${file} (retired or lost); the value cannot be opened`)
    return Buffer.from(entry.key, 'base64')
  }

  const box: SecretBox = {
    seal(plaintext, context = '') {
      const { id, key } = primary()
      const header = Buffer.concat([MAGIC, Buffer.of(id.length), Buffer.from(id, 'ascii')])
      const nonce = randomBytes(NONCE)
      const cipher = createCipheriv('aes-256-gcm', Buffer.from(key, 'base64'), nonce)
      cipher.setAAD(Buffer.concat([header, Buffer.from(context)]))
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
      return new Uint8Array(Buffer.concat([header, nonce, body, cipher.getAuthTag()]))
    },
    open(sealed, context = '') {
      const { id, headerLength } = parseHeader(sealed)
      const key = keyFor(id)
      const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.length)
      const nonce = bytes.subarray(headerLength, headerLength + NONCE)
      const decipher = createDecipheriv('aes-256-gcm', key, nonce)
      decipher.setAAD(Buffer.concat([bytes.subarray(0, headerLength), Buffer.from(context)]))
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG))
      try {
        const plain = Buffer.concat([decipher.update(bytes.subarray(headerLength + NONCE, bytes.length - TAG)), decipher.final()])
        return new Uint8Array(plain)
      } catch (err) {
        throw new ShoalError('Corrupt', `secret-box: authentication failed with key "${id}": the sealed value was altered or belongs to another object`, { cause: err })
      }
    },
    keyIdOf: (sealed) => parseHeader(sealed).id,
    primaryKeyId: () => primary().id,
    keyIds: () => keys.map((k) => k.id),
    rotate() {
      const entry = newKey()
      save([...keys, entry])
      return entry.id
    },
    reencrypt(sealed, context) {
      if (box.keyIdOf(sealed) === primary().id) return sealed
      return box.seal(box.open(sealed, context), context)
    },
    retire(keyId) {
      if (keyId === primary().id) throw new InvalidError(`secret-box: key "${keyId}" is the primary key and cannot be retired`)
      if (!keys.some((k) => k.id === keyId)) throw new InvalidError(`secret-box: no key "${keyId}" to retire`)
      save(keys.filter((k) => k.id !== keyId))
    },
  }
  return box
}

function parseHeader(sealed: Uint8Array): { id: string; headerLength: number } {
  if (!isSealed(sealed)) throw new ShoalError('Corrupt', `secret-box: value is not sealed (no "${MAGIC}" prefix)`)
  const length = sealed[MAGIC.length] ?? 0
  const headerLength = MAGIC.length + 1 + length
  if (length === 0 || length > 64 || sealed.length < headerLength + NONCE + TAG) {
    throw new ShoalError('Corrupt', `secret-box: sealed value is truncated or malformed (${sealed.length} bytes)`)
  }
  return { id: Buffer.from(sealed.subarray(MAGIC.length + 1, headerLength)).toString('ascii'), headerLength }
}

function loadKeys(file: string): KeyEntry[] {
  const text = readTextIfExists(file)
  if (text === undefined) return []
  const corrupt = (what: string, cause?: unknown) => new CorruptError(`secret-box: ${file} ${what}`, { file, offset: 0 }, { cause })
  let doc: { keys?: unknown }
  try {
    doc = JSON.parse(text) as { keys?: unknown }
  } catch (err) {
    throw corrupt('is not valid JSON', err)
  }
  const valid = (k: KeyEntry) =>
    typeof k?.id === 'string' && /^[\x21-\x7e]{1,64}$/.test(k.id) && typeof k.key === 'string' && Buffer.from(k.key, 'base64').length === 32
  if (!Array.isArray(doc?.keys) || doc.keys.length === 0 || !doc.keys.every(valid)) throw corrupt('does not hold a valid key list')
  return doc.keys as KeyEntry[]
}
