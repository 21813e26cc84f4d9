// The on-disk format of Shoal's write-ahead log, byte by byte.
//
// A log is a directory of segment files named `<seq>.wal`, seq as 16 lowercase hex digits
// (0000000000000001.wal), numbered without gaps. Records are appended to the newest segment; a
// new segment is cut when the current one passes its size limit, at every open (a recovered
// file is never appended to) and at every snapshot. Every segment is a sequence of frames and
// nothing else:
//
//   offset  size  field
//   0       4     length   u32 little-endian: byte length L of the payload (1 ≤ L ≤ MAX_PAYLOAD)
//   4       4     crc      u32 little-endian: CRC-32/IEEE (zlib.crc32) of the L payload bytes
//   8       L     payload  one CBOR data item: an array whose first element is the record type
//
// Frames follow each other with no padding; the first frame of a segment is its header record.
// Payload record types (see records.ts):
//   [0, formatVersion, seq, firstRevision]                 segment header (firstRevision: the
//                                                          revision of the store when it was cut, +1)
//   [1, revision, ops]                                     txn: ops = [key, value, lease] puts
//                                                          and [key] deletes, one revision
//   [2, leaseId, ttlSeconds]                               lease granted
//   [3, leaseId, revision, keys]                           lease revoked; its keys deleted at revision
//   [4, revision]                                          history compacted at revision
// Values are CBOR byte strings holding the caller's bytes unchanged (themselves CBOR).
// Snapshot files (`<revision>.snap`) are frames of this kind too, with their own payload types
// 10–12 (layout at the top of snap/snapshot.ts).
//
// A segment is extended ahead of its writes (sparse, 4 MiB at a time; writer.ts) and trimmed
// when cut or closed, so the last one may end in zeros after a crash: reading stops at the end
// of the file, or at a length of 0 followed only by zero bytes (the unused end, trimmed without
// a warning). A frame
// that is short, has a bad CRC or an undecodable payload is a torn tail when no valid frame
// follows it (or when a whole 512-byte sector inside it is zero: that write never reached the
// disk, so nothing after it was acknowledged); the tail is cut off and reported. Anything else is
// damage: opening fails with the file name and byte offset. Nothing is ever dropped silently.
import { crc32 } from 'node:zlib'

export const HEADER_BYTES = 8
export const MAX_PAYLOAD = 64 * 1024 * 1024
const SECTOR = 512

export function encodeFrame(payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_BYTES + payload.length)
  frame.writeUInt32LE(payload.length, 0)
  frame.writeUInt32LE(crc32(payload), 4)
  frame.set(payload, HEADER_BYTES)
  return frame
}

export interface Frame {
  offset: number
  payload: Buffer
}

export interface BadFrame {
  offset: number
  reason: string
}

/** Result of reading one buffer of frames: the valid ones and where the valid data ends. */
export interface ScanResult {
  frames: Frame[]
  /** byte offset just past the last valid frame */
  end: number
  /** set when the data stops at a torn tail (bytes from `offset` to the end of the buffer) */
  torn?: BadFrame & { bytes: number }
  /** set when a bad frame is followed by valid data: the log is damaged here */
  damage?: BadFrame
}

/** Checks one frame at `o`: its payload, or why it is bad and how many bytes it spans. */
export function readFrame(
  buf: Buffer,
  o: number,
): { payload: Buffer } | { bad: string; span: number } {
  if (buf.length - o < HEADER_BYTES)
    return { bad: `short frame header (${buf.length - o} bytes)`, span: buf.length - o }
  const len = buf.readUInt32LE(o)
  if (len === 0) return { bad: 'zero length', span: HEADER_BYTES }
  if (len > MAX_PAYLOAD)
    return { bad: `length ${len} over the ${MAX_PAYLOAD}-byte limit`, span: buf.length - o }
  if (o + HEADER_BYTES + len > buf.length) {
    return { bad: `frame of ${len} bytes runs past the end of the file`, span: buf.length - o }
  }
  const payload = buf.subarray(o + HEADER_BYTES, o + HEADER_BYTES + len)
  if (crc32(payload) !== buf.readUInt32LE(o + 4))
    return { bad: 'CRC mismatch', span: HEADER_BYTES + len }
  return { payload }
}

function allZero(buf: Buffer, from: number, to = buf.length): boolean {
  for (let i = from; i < to; i++) if (buf[i] !== 0) return false
  return true
}

/** Whether [from, to) contains a whole, sector-aligned run of 512 zero bytes. */
function hasZeroSector(buf: Buffer, from: number, to: number): boolean {
  for (let s = Math.ceil(from / SECTOR) * SECTOR; s + SECTOR <= to; s += SECTOR)
    if (allZero(buf, s, s + SECTOR)) return true
  return false
}

/** Whether any valid frame starts somewhere in [from, end of buffer). */
export function validFrameAfter(buf: Buffer, from: number): boolean {
  for (let p = from; p + HEADER_BYTES < buf.length; p++) {
    const len = buf.readUInt32LE(p)
    if (len === 0 || len > buf.length - p - HEADER_BYTES) continue
    const first = buf[p + HEADER_BYTES]
    if (first < 0x80 || first > 0x9f) continue // every payload is a CBOR array
    if (crc32(buf.subarray(p + HEADER_BYTES, p + HEADER_BYTES + len)) === buf.readUInt32LE(p + 4))
      return true
  }
  return false
}

/**
 * Reads every frame of one segment. `decodable` lets the caller reject a payload whose CRC is
 * right but whose content is not a record (treated like a bad CRC).
 */
export function scanFrames(
  buf: Buffer,
  decodable: (payload: Buffer) => string | undefined = () => undefined,
): ScanResult {
  const frames: Frame[] = []
  let o = 0
  while (o < buf.length) {
    const r = readFrame(buf, o)
    let bad: string | undefined
    let span = 0
    if ('payload' in r) bad = decodable(r.payload)
    else ({ bad, span } = r)
    if (bad === undefined && 'payload' in r) {
      frames.push({ offset: o, payload: r.payload })
      o += HEADER_BYTES + r.payload.length
      continue
    }
    return { frames, ...classifyBad(buf, o, bad ?? 'undecodable payload', span) }
  }
  return { frames, end: o }
}

/** Why reading stopped at the bad frame at `o` of `buf`: a torn tail, or damage (see the top). */
export function classifyBad(
  buf: Buffer,
  o: number,
  reason: string,
  span: number,
): Omit<ScanResult, 'frames'> {
  if (reason === 'zero length' && allZero(buf, o))
    return {
      end: o,
      ...(o < buf.length
        ? { torn: { offset: o, reason: 'zero-filled tail', bytes: buf.length - o } }
        : {}),
    }
  const torn =
    !validFrameAfter(buf, o + 1) || hasZeroSector(buf, o, o + Math.max(span, HEADER_BYTES))
  if (torn) return { end: o, torn: { offset: o, reason, bytes: buf.length - o } }
  return { end: o, damage: { offset: o, reason } }
}
