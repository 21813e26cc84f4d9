// Log records and their CBOR payloads (layout in format.ts). decodeRecord checks the shape of
// every field, so a payload with a good CRC but foreign content is reported, never applied.
import { Encoder } from 'cbor-x'
import { fastDecodeTxn, type FilePlace } from './fast-decode.ts'
import type { ValueRef } from '../mvcc/revision.ts'

export const FORMAT_VERSION = 1

/** One write inside a txn record; no value means the key is deleted. */
export interface WalOp {
  key: string
  /** a ValueRef only in records read back at open (the writer is always handed bytes) */
  value?: Uint8Array | ValueRef
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
 * Decodes a payload; a string result says what is wrong with it. With `at` the payload is a
 * view of that file place: values become references into the file, and anything the general
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
