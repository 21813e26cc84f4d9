// Log records and their CBOR payloads (layout in format.ts). decodeRecord checks the shape of
// every field, so a payload with a good CRC but foreign content is reported, never applied.
import { Encoder } from 'cbor-x'
import { cborView, scanned, scanTxn } from './fast-decode.ts'
import type { ValueSource } from './value-file.ts'

export const FORMAT_VERSION = 1

/** where decoded bytes lie in a file: values then become places in it, not copies */
export interface FilePlace {
  source: ValueSource
  /** file offset of the first byte handed to the decoder */
  offset: number
}

/** where a value read back from the log lies: `length` bytes at `offset` of `source` */
export class ValuePlace {
  constructor(
    readonly source: ValueSource,
    readonly offset: number,
    readonly length: number,
  ) {}
}

/** One write inside a txn record; no value means the key is deleted. */
export interface WalOp {
  key: string
  /** a ValuePlace only in records read back at open (the writer is always handed bytes) */
  value?: Uint8Array | ValuePlace
  lease?: number
}

export type WalRecord =
  | { type: 'header'; version: number; seq: number; firstRevision: number }
  | { type: 'txn'; revision: number; ops: WalOp[] }
  | { type: 'lease-grant'; id: number; ttl: number }
  | { type: 'lease-revoke'; id: number; revision: number; keys: string[] }
  | { type: 'compact'; revision: number }

const cbor = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false })

function opToWire(op: WalOp): unknown[] {
  if (op.value && !(op.value instanceof Uint8Array))
    throw new TypeError(
      'store: a value read back from the log cannot be written again by reference',
    )
  if (!op.value) return [op.key]
  return op.lease ? [op.key, op.value, op.lease] : [op.key, op.value]
}

export function encodeRecord(r: WalRecord): Uint8Array {
  switch (r.type) {
    case 'header':
      return cbor.encode([0, r.version, r.seq, r.firstRevision])
    case 'txn':
      return cbor.encode([1, r.revision, r.ops.map(opToWire)])
    case 'lease-grant':
      return cbor.encode([2, r.id, r.ttl])
    case 'lease-revoke':
      return cbor.encode([3, r.id, r.revision, r.keys])
    case 'compact':
      return cbor.encode([4, r.revision])
  }
}

const isCount = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0

function opFromWire(w: unknown): WalOp | undefined {
  if (!Array.isArray(w) || typeof w[0] !== 'string' || w.length > 3) return undefined
  if (w.length === 1) return { key: w[0] }
  if (!(w[1] instanceof Uint8Array)) return undefined
  if (w.length === 3 && !isCount(w[2])) return undefined
  return w.length === 3 ? { key: w[0], value: w[1], lease: w[2] } : { key: w[0], value: w[1] }
}

function txnFromWire(a: unknown[]): WalRecord | undefined {
  if (!isCount(a[1]) || !Array.isArray(a[2])) return undefined
  const ops: WalOp[] = []
  for (const w of a[2]) {
    const op = opFromWire(w)
    if (!op) return undefined
    ops.push(op)
  }
  return { type: 'txn', revision: a[1], ops }
}

function fromWire(a: unknown[]): WalRecord | undefined {
  switch (a[0]) {
    case 0:
      return isCount(a[1]) && isCount(a[2]) && isCount(a[3])
        ? { type: 'header', version: a[1], seq: a[2], firstRevision: a[3] }
        : undefined
    case 1:
      return txnFromWire(a)
    case 2:
      return isCount(a[1]) && isCount(a[2])
        ? { type: 'lease-grant', id: a[1], ttl: a[2] }
        : undefined
    case 3: {
      const keys = a[3]
      const ok =
        isCount(a[1]) &&
        isCount(a[2]) &&
        Array.isArray(keys) &&
        keys.every((k) => typeof k === 'string')
      return ok
        ? {
            type: 'lease-revoke',
            id: a[1] as number,
            revision: a[2] as number,
            keys: keys as string[],
          }
        : undefined
    }
    case 4:
      return isCount(a[1]) ? { type: 'compact', revision: a[1] } : undefined
  }
  return undefined
}

/**
 * A txn record read by the fast decoder (fast-decode.ts), or undefined when the bytes are not one
 * it reads. `at`: the bytes are a view of that file place, and values become places in it.
 */
export function fastDecodeTxn(bytes: Uint8Array, at?: FilePlace): WalRecord | undefined {
  if (!scanTxn(bytes)) return undefined
  const { revision, count, keys, at: pos, len, lease } = scanned
  const ops: WalOp[] = new Array(count)
  for (let i = 0; i < count; i++) {
    if (pos[i] < 0) {
      ops[i] = { key: keys[i] }
      continue
    }
    const value = at
      ? new ValuePlace(at.source, at.offset + pos[i], len[i])
      : cborView(pos[i], pos[i] + len[i])
    ops[i] = lease[i] ? { key: keys[i], value, lease: lease[i] } : { key: keys[i], value }
  }
  return { type: 'txn', revision, ops }
}

/**
 * Decodes a payload; a string result says what is wrong with it. With `at` the payload is a
 * view of that file place: values become places in the file, and anything the general
 * decoder returns is copied out of the (reused) buffer first.
 */
export function decodeRecord(payload: Uint8Array, at?: FilePlace): WalRecord | string {
  const fast = fastDecodeTxn(payload, at)
  if (fast) return fast
  if (at) payload = Uint8Array.prototype.slice.call(payload)
  let a: unknown
  try {
    a = cbor.decode(payload)
  } catch (err) {
    return `payload is not CBOR (${(err as Error).message})`
  }
  if (!Array.isArray(a)) return 'payload is not a record array'
  return fromWire(a) ?? `malformed record of type ${String(a[0])}`
}
