// Decoders for the two shapes that dominate a replay — log txn records [1, revision, [[key, value,
// lease?], …]] and snapshot chunks of key versions — reading the CBOR bytes directly (cbor-x costs several µs per call on small records; replay
// decodes one call per record). Anything it does not recognise returns undefined, and the
// general decoder (records.ts) takes over, so it can only be faster, never different.
import type { WalOp, WalRecord } from './records.ts'
import { makeRevision, ValueRef, type Revision, type ValueSource } from '../mvcc/revision.ts'

/** where the decoded bytes lie in a file: values then become references into it, not copies */
export interface FilePlace {
  source: ValueSource
  /** file offset of the first byte handed to the decoder */
  offset: number
}

/** Buffer.prototype.utf8Slice: Node's own method behind toString('utf8', start, end) (Node 18–24) */
type NodeBuffer = Buffer & { utf8Slice(start: number, end: number): string }

// cursor state of one decode (the decoder is synchronous and not re-entrant)
let b: Buffer
let p = 0
let place: FilePlace | undefined

/** the next `n` bytes as a value: a view of the buffer, or a reference into the file */
function bytesValue(n: number): Uint8Array | ValueRef {
  const v = place ? new ValueRef(place.source, place.offset + p, n) : b.subarray(p, p + n)
  p += n
  return v
}

/** reads a CBOR head of `major` at p and advances; -1 when it is something else */
function head(major: number): number {
  const ib = b[p]
  if (ib === undefined || ib >> 5 !== major) return -1
  const ai = ib & 31
  if (ai < 24) return ((p += 1), ai)
  if (ai === 24 && p + 1 < b.length) return ((p += 2), b[p - 1])
  if (ai === 25 && p + 2 < b.length) return ((p += 3), (b[p - 2] << 8) | b[p - 1])
  if (ai === 26 && p + 4 < b.length) return ((p += 5), b.readUInt32BE(p - 4))
  return -1 // 8-byte lengths and indefinite items go to the general decoder
}

function text(): string | undefined {
  const n = head(3)
  if (n < 0 || p + n > b.length) return undefined
  const s = (b as NodeBuffer).utf8Slice(p, p + n) // what toString('utf8', …) calls, without its argument checks
  if (s.includes('\ufffd') && Buffer.byteLength(s) !== n) return undefined // not UTF-8: general decoder
  p += n
  return s
}

/**
 * The ops of the last txn scanned (scanTxn), in flat arrays reused from record to record: a
 * replay applies them straight to the index, with no record, op or reference object per write.
 * `at[i]` is where op i's value starts in the scanned bytes (-1: a delete).
 */
export interface TxnScan {
  revision: number
  count: number
  readonly keys: string[]
  readonly at: number[]
  readonly len: number[]
  readonly lease: number[]
}

export const scanned: TxnScan = { revision: 0, count: 0, keys: [], at: [], len: [], lease: [] }

/** op `i` of a txn into `scanned`; false when it is not the expected shape */
function scanOp(i: number): boolean {
  const len = head(4)
  if (len < 1 || len > 3) return false
  const key = text()
  if (key === undefined) return false
  scanned.keys[i] = key
  scanned.at[i] = -1
  scanned.len[i] = 0
  scanned.lease[i] = 0
  if (len === 1) return true
  const n = head(2)
  if (n < 0 || p + n > b.length) return false
  scanned.at[i] = p
  scanned.len[i] = n
  p += n
  if (len === 2) return true
  const lease = head(0)
  scanned.lease[i] = lease
  return lease >= 0
}

/**
 * Reads a txn record [1, revision, [[key, value?, lease?], …]] into `scanned` (valid until the
 * next call); false when the bytes are anything else (the general decoder then decides).
 */
export function scanTxn(bytes: Uint8Array): boolean {
  if (bytes[0] !== 0x83 || bytes[1] !== 0x01) return false
  begin(bytes, undefined)
  const revision = head(0)
  const n = revision < 0 ? -1 : head(4)
  if (n < 0) return false
  for (let i = 0; i < n; i++) if (!scanOp(i)) return false
  if (p !== b.length) return false
  scanned.revision = revision
  scanned.count = n
  return true
}

/** starts a decode of `bytes` after its 2-byte prefix; `at`: where the bytes lie in a file */
function begin(bytes: Uint8Array, at: FilePlace | undefined): void {
  b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  p = 2
  place = at
}

/** `n` items read by `one`, and the payload must end right after them */
function items<T>(n: number, one: () => T | undefined): T[] | undefined {
  if (n < 0) return undefined
  const out: T[] = []
  for (let i = 0; i < n; i++) {
    const x = one()
    if (!x) return undefined
    out.push(x)
  }
  return p === b.length ? out : undefined
}

/** `at`: the bytes are a view of that file place, and values become references into it */
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
      ? new ValueRef(at.source, at.offset + pos[i], len[i])
      : b.subarray(pos[i], pos[i] + len[i])
    ops[i] = lease[i] ? { key: keys[i], value, lease: lease[i] } : { key: keys[i], value }
  }
  return { type: 'txn', revision, ops }
}

function version(): Revision | undefined {
  if (b[p] !== 0x86) return undefined
  p++
  const key = text()
  if (key === undefined) return undefined
  const rev = head(0)
  const create = rev < 0 ? -1 : head(0)
  const ver = create < 0 ? -1 : head(0)
  if (ver < 0) return undefined
  let value: Uint8Array | ValueRef | undefined
  if (b[p] === 0xf6) p++
  else {
    const n = head(2)
    if (n < 0 || p + n > b.length) return undefined
    value = bytesValue(n)
  }
  const lease = head(0)
  if (lease < 0) return undefined
  return value === undefined
    ? { key, rev, create, version: ver, value, lease }
    : makeRevision(key, rev, create, ver, value, lease)
}

/** snapshot chunk [11, [[key, rev, create, version, value|null, lease], …]] (snapshot.ts) */
export function fastDecodeVersions(bytes: Uint8Array, at?: FilePlace): Revision[] | undefined {
  if (bytes[0] !== 0x82 || bytes[1] !== 0x0b) return undefined
  begin(bytes, at)
  return items(head(4), version)
}
