// A minimal ASN.1 DER encoder: just the types an X.509 certificate needs (X.690 §8, §10).
// Every function returns the complete TLV (tag, length, value) as bytes.

type Bytes = Uint8Array

function length(n: number): Bytes {
  if (n < 0x80) return Uint8Array.of(n)
  const out: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff)
  return Uint8Array.of(0x80 | out.length, ...out)
}

export function concat(parts: readonly Bytes[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

export function tlv(tag: number, value: Bytes): Bytes {
  return concat([Uint8Array.of(tag), length(value.length), value])
}

export const sequence = (...items: Bytes[]): Bytes => tlv(0x30, concat(items))
export const set = (...items: Bytes[]): Bytes => tlv(0x31, concat(items))
export const boolean = (v: boolean): Bytes => tlv(0x01, Uint8Array.of(v ? 0xff : 0x00))
export const octetString = (v: Bytes): Bytes => tlv(0x04, v)
export const utf8String = (s: string): Bytes => tlv(0x0c, new TextEncoder().encode(s))
/** BIT STRING of whole bytes (no unused bits): signatures, key identifiers. */
export const bitString = (v: Bytes, unusedBits = 0): Bytes =>
  tlv(0x03, concat([Uint8Array.of(unusedBits), v]))
/** [n] EXPLICIT: a constructed context tag wrapping a complete TLV. */
export const explicit = (n: number, inner: Bytes): Bytes => tlv(0xa0 | n, inner)
/** [n] IMPLICIT on a primitive type: the context tag replaces the universal one. */
export const implicit = (n: number, value: Bytes): Bytes => tlv(0x80 | n, value)

/** A non-negative INTEGER from big-endian magnitude bytes, minimally encoded. */
export function unsignedInteger(magnitude: Bytes): Bytes {
  let start = 0
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++
  const trimmed = magnitude.subarray(start)
  const pad = trimmed.length === 0 || (trimmed[0]! & 0x80) !== 0
  return tlv(0x02, pad ? concat([Uint8Array.of(0), trimmed]) : trimmed)
}

export const smallInteger = (n: number): Bytes => unsignedInteger(Uint8Array.of(n))

export function objectId(dotted: string): Bytes {
  const arcs = dotted.split('.').map(Number)
  const body: number[] = [arcs[0]! * 40 + arcs[1]!]
  for (const arc of arcs.slice(2)) {
    const chunk: number[] = [arc & 0x7f]
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128))
      chunk.unshift(0x80 | (v & 0x7f))
    body.push(...chunk)
  }
  return tlv(0x06, Uint8Array.from(body))
}

/** UTCTime for 1950–2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5), always in UTC seconds. */
export function time(date: Date): Bytes {
  const iso = date.toISOString() // 2026-11-29T04:53:43.123Z
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '') + 'Z' // 20261129045343Z
  const year = date.getUTCFullYear()
  const utc = year >= 1950 && year < 2050
  return tlv(utc ? 0x17 : 0x18, new TextEncoder().encode(utc ? digits.slice(2) : digits))
}
