// Reads the CBOR of the shapes that dominate a replay straight from the bytes (cbor-x costs
// several µs per call on small records; replay decodes one call per record): log txn records
// [1, revision, [[key, value, lease?], …]] here (scanTxn; records.ts builds records from it), and
// through the cursor below, snapshot chunks of key versions (snap/codec.ts). Anything a fast
// decoder does not recognise goes to the general decoder (cbor-x), so it can only be faster,
// never different.
//
// The cursor is module state, not an object: a decode is synchronous and not re-entrant, and the
// replay loop pays no allocation and no indirection for it. cborBegin() starts a decode; the rest
// read at the cursor and advance it.

/** Buffer.prototype.utf8Slice: Node's own method behind toString('utf8', start, end) (Node 18–24) */
type NodeBuffer = Buffer & { utf8Slice(start: number, end: number): string }

let b: Buffer
let p = 0

/** starts a decode of `bytes` at byte `from` (after a prefix the caller has checked) */
export function cborBegin(bytes: Uint8Array, from: number): void {
  b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  p = from
}

/** reads a CBOR head of `major` and advances; -1 when it is something else */
export function cborHead(major: number): number {
  const ib = b[p]
  if (ib === undefined || ib >> 5 !== major) return -1
  const ai = ib & 31
  if (ai < 24) return ((p += 1), ai)
  if (ai === 24 && p + 1 < b.length) return ((p += 2), b[p - 1])
  if (ai === 25 && p + 2 < b.length) return ((p += 3), (b[p - 2] << 8) | b[p - 1])
  if (ai === 26 && p + 4 < b.length) return ((p += 5), b.readUInt32BE(p - 4))
  return -1 // 8-byte lengths and indefinite items go to the general decoder
}

/** reads a text string; undefined when it is something else or not UTF-8 */
export function cborText(): string | undefined {
  const n = cborHead(3)
  if (n < 0 || p + n > b.length) return undefined
  const s = (b as NodeBuffer).utf8Slice(p, p + n) // what toString('utf8', …) calls, without its argument checks
  if (s.includes('\ufffd') && Buffer.byteLength(s) !== n) return undefined // not UTF-8: general decoder
  p += n
  return s
}

/** whether the next byte is `byte`; if so it is read */
export function cborTake(byte: number): boolean {
  if (b[p] !== byte) return false
  p++
  return true
}

/** where the next `n` bytes start, which are then read; -1 when they run past the end */
export function cborSkip(n: number): number {
  if (n < 0 || p + n > b.length) return -1
  p += n
  return p - n
}

/** bytes [start, end) of the decode's buffer, as a view */
export function cborView(start: number, end: number): Buffer {
  return b.subarray(start, end)
}

/** whether every byte has been read */
export function cborAtEnd(): boolean {
  return p === b.length
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
  const len = cborHead(4)
  if (len < 1 || len > 3) return false
  const key = cborText()
  if (key === undefined) return false
  scanned.keys[i] = key
  scanned.at[i] = -1
  scanned.len[i] = 0
  scanned.lease[i] = 0
  if (len === 1) return true
  const n = cborHead(2)
  if (n < 0 || p + n > b.length) return false
  scanned.at[i] = p
  scanned.len[i] = n
  p += n
  if (len === 2) return true
  const lease = cborHead(0)
  scanned.lease[i] = lease
  return lease >= 0
}

/**
 * Reads a txn record [1, revision, [[key, value?, lease?], …]] into `scanned` (valid until the
 * next call; cborView() gives its values' bytes until the next decode); false when the bytes are
 * anything else (the general decoder then decides).
 */
export function scanTxn(bytes: Uint8Array): boolean {
  if (bytes[0] !== 0x83 || bytes[1] !== 0x01) return false
  cborBegin(bytes, 2)
  const revision = cborHead(0)
  const n = revision < 0 ? -1 : cborHead(4)
  if (n < 0) return false
  for (let i = 0; i < n; i++) if (!scanOp(i)) return false
  if (p !== b.length) return false
  scanned.revision = revision
  scanned.count = n
  return true
}
