// The protobuf wire format, read only: a message is a run of (key, value) pairs, key = field
// number << 3 | wire type. Wire types: 0 varint, 1 fixed 64-bit, 2 length-delimited (strings,
// bytes, messages, packed repeated scalars), 5 fixed 32-bit; 3 and 4 (groups) are obsolete and
// never sent by Kubernetes. A malformed message throws WireError naming the problem.

export class WireError extends Error {}

export const VARINT = 0
export const FIXED64 = 1
export const LEN = 2
export const FIXED32 = 5

export interface WireField {
  no: number
  wire: number
  /** the varint as a signed 64-bit number (wire 0); undefined for other wire types */
  int?: number
  /** the payload (wire 1, 2 and 5) */
  bytes?: Uint8Array
}

/** Reads one varint at `at`; returns [value as a signed 64-bit number, next offset]. */
export function readVarint(buf: Uint8Array, at: number): [number, number] {
  let v = 0
  let i = at
  // fast path: up to 4 bytes (28 bits) fit in a plain number
  for (let shift = 0; shift < 28; shift += 7) {
    if (i >= buf.length) throw new WireError(`truncated varint at byte ${at}`)
    const b = buf[i++]
    v |= (b & 0x7f) << shift
    if (b < 0x80) return [v, i]
  }
  let big = BigInt(v)
  for (let shift = 28n; ; shift += 7n) {
    if (i >= buf.length) throw new WireError(`truncated varint at byte ${at}`)
    if (shift > 63n) throw new WireError(`varint longer than 10 bytes at byte ${at}`)
    const b = buf[i++]
    big |= BigInt(b & 0x7f) << shift
    if (b < 0x80) return [Number(BigInt.asIntN(64, big)), i]
  }
}

/** The fields of one message, in wire order. */
export function* wireFields(buf: Uint8Array): Generator<WireField> {
  let i = 0
  while (i < buf.length) {
    const at = i
    const [key, next] = readVarint(buf, i)
    i = next
    const no = Math.floor(key / 8)
    const wire = key & 7
    if (no < 1 || key < 0) throw new WireError(`invalid field number ${no} at byte ${at}`)
    if (wire === VARINT) {
      const [int, after] = readVarint(buf, i)
      i = after
      yield { no, wire, int }
      continue
    }
    const len =
      wire === LEN
        ? lengthAt(buf, i)
        : wire === FIXED64
          ? [8, i]
          : wire === FIXED32
            ? [4, i]
            : undefined
    if (!len) throw new WireError(`field ${no} has unsupported wire type ${wire} at byte ${at}`)
    const [size, start] = len
    if (start + size > buf.length)
      throw new WireError(
        `field ${no} is truncated: ${size} bytes announced at byte ${at}, ${buf.length - start} left`,
      )
    i = start + size
    yield { no, wire, bytes: buf.subarray(start, i) }
  }
}

function lengthAt(buf: Uint8Array, at: number): [number, number] {
  const [size, start] = readVarint(buf, at)
  if (size < 0) throw new WireError(`invalid length ${size} at byte ${at}`)
  return [size, start]
}

/** The varints of a packed repeated scalar field. */
export function packedVarints(buf: Uint8Array): number[] {
  const out: number[] = []
  for (let i = 0; i < buf.length;) {
    const [v, next] = readVarint(buf, i)
    out.push(v)
    i = next
  }
  return out
}
