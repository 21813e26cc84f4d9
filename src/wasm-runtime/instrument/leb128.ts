// LEB128 encoders (the decoders live on ByteReader): unsigned u32 and signed s32/s33/s64, each the
// shortest encoding, as wasm tools write them.

export function encodeU32(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`leb128: ${value} is not a u32`)
  }
  const out: number[] = []
  let rest = value
  do {
    let byte = rest % 128
    rest = Math.floor(rest / 128)
    if (rest !== 0) byte |= 0x80
    out.push(byte)
  } while (rest !== 0)
  return Uint8Array.from(out)
}

function encodeSigned(value: bigint, bits: number): Uint8Array {
  const limit = 1n << BigInt(bits - 1)
  if (value < -limit || value >= limit) throw new RangeError(`leb128: ${value} is not an s${bits}`)
  const out: number[] = []
  let rest = value
  for (;;) {
    const byte = Number(rest & 0x7fn)
    rest >>= 7n // arithmetic shift: keeps the sign
    const signBit = (byte & 0x40) !== 0
    if ((rest === 0n && !signBit) || (rest === -1n && signBit)) {
      out.push(byte)
      return Uint8Array.from(out)
    }
    out.push(byte | 0x80)
  }
}

export function encodeS32(value: number): Uint8Array {
  return encodeSigned(BigInt(value), 32)
}

export function encodeS33(value: number): Uint8Array {
  return encodeSigned(BigInt(value), 33)
}

export function encodeS64(value: bigint): Uint8Array {
  return encodeSigned(value, 64)
}
