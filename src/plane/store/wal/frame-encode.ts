// Writes the two frames that carry values straight into a caller's buffer — txn records (the
// log's hottest path) and snapshot chunks of key versions — with the same bytes cbor-x +
// encodeFrame would produce (minimal CBOR heads), minus their allocations and copies. The
// rare other records go through records.ts.
import { crc32 } from 'node:zlib'
import { HEADER_BYTES } from './format.ts'
import type { WalOp } from './records.ts'
import { LazyRevision, type Revision } from '../mvcc/revision.ts'

/** a CBOR head of `major` with argument `n` at `p` (n ≥ 2^32 only for unsigned ints); returns the next position */
function head(out: Buffer, p: number, major: number, n: number): number {
  const m = major << 5
  if (n < 24) return ((out[p] = m | n), p + 1)
  if (n < 0x100) return ((out[p] = m | 24), (out[p + 1] = n), p + 2)
  if (n < 0x10000) return ((out[p] = m | 25), out.writeUInt16BE(n, p + 1), p + 3)
  if (n < 0x100000000) return ((out[p] = m | 26), out.writeUInt32BE(n, p + 1), p + 5)
  // beyond 32 bits cbor-x writes a float64, and reads a uint64 back as a bigint: do as it does
  out[p] = 0xfb
  out.writeDoubleBE(n, p + 1)
  return p + 9
}

/** bytes the frame can take at most (heads at 9 bytes, keys at 3 bytes a UTF-16 unit) */
export function txnFrameBound(ops: WalOp[]): number {
  let n = HEADER_BYTES + 2 + 9 + 9
  for (const op of ops) n += 1 + 9 + 3 * op.key.length + (op.value ? 9 + op.value.length + 9 : 0)
  return n
}

/**
 * Encodes [1, revision, ops] as a frame at `at` of `out`, which must have txnFrameBound(ops)
 * bytes free there; returns the end of the frame. `valueAt` gets the position in `out` of each
 * value, in op order.
 */
export function writeTxnFrame(
  out: Buffer,
  at: number,
  revision: number,
  ops: WalOp[],
  valueAt?: number[],
): number {
  let p = at + HEADER_BYTES
  out[p++] = 0x83
  out[p++] = 0x01
  p = head(out, p, 0, revision)
  p = head(out, p, 4, ops.length)
  for (const op of ops) {
    const value = op.value
    if (value && !(value instanceof Uint8Array))
      throw new TypeError(
        'store: a value read back from the log cannot be written again by reference',
      )
    out[p++] = 0x80 | (value ? (op.lease ? 3 : 2) : 1)
    p = head(out, p, 3, Buffer.byteLength(op.key))
    p += out.write(op.key, p, 'utf8')
    if (!value) continue
    p = head(out, p, 2, value.length)
    valueAt?.push(p)
    out.set(value, p)
    p += value.length
    if (op.lease) p = head(out, p, 0, op.lease)
  }
  return seal(out, at, p)
}

/** a version's value length, without reading a value that is on disk */
const valueLength = (v: Revision) =>
  !v.version ? 0 : v instanceof LazyRevision ? v.length : v.value!.length

/** bytes a snapshot chunk frame of `versions` can take at most */
export function versionsFrameBound(versions: readonly Revision[]): number {
  let n = HEADER_BYTES + 2 + 9
  for (const v of versions) n += 1 + 9 + 3 * v.key.length + 9 * 5 + valueLength(v)
  return n
}

/**
 * Encodes the snapshot chunk [11, [[key, rev, create, version, value|null, lease], …]] as a frame
 * at `at` of `out` (versionsFrameBound(versions) bytes free there); returns the end of the frame.
 * `values[i]` is the value of `versions[i]` when already read (LazyRevision.readAll); `valueAt[i]`
 * gets the position in `out` of that value (-1 for a tombstone).
 */
export function writeVersionsFrame(
  out: Buffer,
  at: number,
  versions: readonly Revision[],
  values?: readonly (Uint8Array | undefined)[],
  valueAt?: number[],
): number {
  let p = at + HEADER_BYTES
  out[p++] = 0x82
  out[p++] = 0x0b
  p = head(out, p, 4, versions.length)
  for (let i = 0; i < versions.length; i++) {
    const v = versions[i]
    out[p++] = 0x86
    p = head(out, p, 3, Buffer.byteLength(v.key))
    p += out.write(v.key, p, 'utf8')
    p = head(out, p, 0, v.rev)
    p = head(out, p, 0, v.create)
    p = head(out, p, 0, v.version)
    if (v.version) {
      const value = values?.[i] ?? v.value!
      p = head(out, p, 2, value.length)
      valueAt?.push(p)
      out.set(value, p)
      p += value.length
    } else {
      out[p++] = 0xf6
      valueAt?.push(-1)
    }
    p = head(out, p, 0, v.lease)
  }
  return seal(out, at, p)
}

function seal(out: Buffer, at: number, end: number): number {
  out.writeUInt32LE(end - at - HEADER_BYTES, at)
  out.writeUInt32LE(crc32(out.subarray(at + HEADER_BYTES, end)), at + 4)
  return end
}
