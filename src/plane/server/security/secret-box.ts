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
  return (
    bytes.length >= MAGIC.length &&
    Buffer.from(bytes.buffer, bytes.byteOffset, MAGIC.length).equals(MAGIC)
  )
}

export function createSecretBox(dataDir: string, opts: { now?: () => Date } = {}): SecretBox {
  return new FileSecretBox(join(dataDir, 'secret-keys.json'), opts.now ?? (() => new Date()))
}

class FileSecretBox implements SecretBox {
  readonly #file: string
  readonly #now: () => Date
  #keys: KeyEntry[]

  constructor(file: string, now: () => Date) {
    this.#file = file
    this.#now = now
    this.#keys = loadKeys(file)
    if (this.#keys.length === 0) this.#save([this.#newKey()])
  }

  seal(plaintext: Uint8Array, context = ''): Uint8Array {
    const { id, key } = this.#primary()
    const header = Buffer.concat([MAGIC, Buffer.of(id.length), Buffer.from(id, 'ascii')])
    const nonce = randomBytes(NONCE)
    const cipher = createCipheriv('aes-256-gcm', Buffer.from(key, 'base64'), nonce)
    cipher.setAAD(Buffer.concat([header, Buffer.from(context)]))
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
    return new Uint8Array(Buffer.concat([header, nonce, body, cipher.getAuthTag()]))
  }

  open(sealed: Uint8Array, context = ''): Uint8Array {
    const { id, headerLength } = parseHeader(sealed)
    const key = this.#keyFor(id)
    const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.length)
    const decipher = createDecipheriv(
      'aes-256-gcm',
      key,
      bytes.subarray(headerLength, headerLength + NONCE),
    )
    decipher.setAAD(Buffer.concat([bytes.subarray(0, headerLength), Buffer.from(context)]))
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG))
    try {
      const body = bytes.subarray(headerLength + NONCE, bytes.length - TAG)
      return new Uint8Array(Buffer.concat([decipher.update(body), decipher.final()]))
    } catch (err) {
      throw new ShoalError(
        'Corrupt',
        `secret-box: authentication failed with key "${id}": the sealed value was altered or belongs to another object`,
        { cause: err },
      )
    }
  }

  keyIdOf(sealed: Uint8Array): string {
    return parseHeader(sealed).id
  }

  primaryKeyId(): string {
    return this.#primary().id
  }

  keyIds(): string[] {
    return this.#keys.map((k) => k.id)
  }

  rotate(): string {
    const entry = this.#newKey()
    this.#save([...this.#keys, entry])
    return entry.id
  }

  reencrypt(sealed: Uint8Array, context?: string): Uint8Array {
    if (this.keyIdOf(sealed) === this.#primary().id) return sealed
    return this.seal(this.open(sealed, context), context)
  }

  retire(keyId: string): void {
    if (keyId === this.#primary().id)
      throw new InvalidError(`secret-box: key "${keyId}" is the primary key and cannot be retired`)
    if (!this.#keys.some((k) => k.id === keyId))
      throw new InvalidError(`secret-box: no key "${keyId}" to retire`)
    this.#save(this.#keys.filter((k) => k.id !== keyId))
  }

  #primary(): KeyEntry {
    return this.#keys[this.#keys.length - 1]!
  }

  #keyFor(id: string): Buffer {
    const entry = this.#keys.find((k) => k.id === id)
    if (!entry)
      throw new ShoalError(
        'Internal',
        `secret-box: key "${id}" is not in ${this.#file} (retired or lost); the value cannot be opened`,
      )
    return Buffer.from(entry.key, 'base64')
  }

  #newKey(): KeyEntry {
    return {
      id: `k-${randomBytes(6).toString('hex')}`,
      key: randomBytes(32).toString('base64'),
      created: this.#now().toISOString(),
    }
  }

  #save(next: KeyEntry[]): void {
    writePrivateFile(this.#file, JSON.stringify({ version: 1, keys: next }, null, 2) + '\n')
    this.#keys = next
  }
}

function parseHeader(sealed: Uint8Array): { id: string; headerLength: number } {
  if (!isSealed(sealed))
    throw new ShoalError('Corrupt', `secret-box: value is not sealed (no "${MAGIC}" prefix)`)
  const length = sealed[MAGIC.length] ?? 0
  const headerLength = MAGIC.length + 1 + length
  if (length === 0 || length > 64 || sealed.length < headerLength + NONCE + TAG) {
    throw new ShoalError(
      'Corrupt',
      `secret-box: sealed value is truncated or malformed (${sealed.length} bytes)`,
    )
  }
  return {
    id: Buffer.from(sealed.subarray(MAGIC.length + 1, headerLength)).toString('ascii'),
    headerLength,
  }
}

function loadKeys(file: string): KeyEntry[] {
  const text = readTextIfExists(file)
  if (text === undefined) return []
  const corrupt = (what: string, cause?: unknown) =>
    new CorruptError(`secret-box: ${file} ${what}`, { file, offset: 0 }, { cause })
  let doc: { keys?: unknown }
  try {
    doc = JSON.parse(text) as { keys?: unknown }
  } catch (err) {
    throw corrupt('is not valid JSON', err)
  }
  const valid = (k: KeyEntry) =>
    typeof k?.id === 'string' &&
    /^[\x21-\x7e]{1,64}$/.test(k.id) &&
    typeof k.key === 'string' &&
    Buffer.from(k.key, 'base64').length === 32
  if (!Array.isArray(doc?.keys) || doc.keys.length === 0 || !doc.keys.every(valid))
    throw corrupt('does not hold a valid key list')
  return doc.keys as KeyEntry[]
}
