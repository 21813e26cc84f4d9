// Writes txn records (the log's hottest path) as frames straight into a caller's buffer, with the
// same bytes cbor-x + encodeFrame would produce (minimal CBOR heads), minus their allocations and
// copies. The rare other records go through records.ts. writeCborHead and sealFrame are the tools:
// snapshot chunks of key versions are written with them too (snap/codec.ts).
import { crc32 } from 'node:zlib'
import { HEADER_BYTES } from './format.ts'
import type { WalOp } from './records.ts'

/** a CBOR head of `major` with argument `n` at `p` (n ≥ 2^32 only for unsigned ints); returns the next position */
export function writeCborHead(out: Buffer, p: number, major: number, n: number): number {
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
  p = writeCborHead(out, p, 0, revision)
  p = writeCborHead(out, p, 4, ops.length)
  for (const op of ops) {
    const value = op.value
    if (value && !(value instanceof Uint8Array))
      throw new TypeError(
        'store: a value read back from the log cannot be written again by reference',
      )
    out[p++] = 0x80 | (value ? (op.lease ? 3 : 2) : 1)
    p = writeCborHead(out, p, 3, Buffer.byteLength(op.key))
    p += out.write(op.key, p, 'utf8')
    if (!value) continue
    p = writeCborHead(out, p, 2, value.length)
    valueAt?.push(p)
    out.set(value, p)
    p += value.length
    if (op.lease) p = writeCborHead(out, p, 0, op.lease)
  }
  return sealFrame(out, at, p)
}

/** finishes the frame at `at` whose payload was written up to `end`: its length and CRC; returns `end` */
export function sealFrame(out: Buffer, at: number, end: number): number {
  out.writeUInt32LE(end - at - HEADER_BYTES, at)
  out.writeUInt32LE(crc32(out.subarray(at + HEADER_BYTES, end)), at + 4)
  return end
}
