import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ByteReader } from './byte-reader.ts'
import { encodeS32, encodeS33, encodeS64, encodeU32 } from './leb128.ts'

const bytes = (a: Uint8Array) => [...a]

test('u32: known encodings and round trips up to 2^32-1', () => {
  assert.equal(bytes(encodeU32(0)), [0x00])
  assert.equal(bytes(encodeU32(127)), [0x7f])
  assert.equal(bytes(encodeU32(128)), [0x80, 0x01])
  assert.equal(bytes(encodeU32(624485)), [0xe5, 0x8e, 0x26])
  assert.equal(bytes(encodeU32(0xffffffff)), [0xff, 0xff, 0xff, 0xff, 0x0f])
  for (const n of [0, 1, 63, 64, 127, 128, 16383, 16384, 2 ** 28, 2 ** 31, 0xffffffff]) {
    assert.is(new ByteReader(encodeU32(n)).u32(), n)
  }
  assert.throws(() => encodeU32(-1), /not a u32/)
  assert.throws(() => encodeU32(2 ** 32), /not a u32/)
})

test('signed: s32, s33, s64 known encodings and round trips', () => {
  assert.equal(bytes(encodeS32(-1)), [0x7f])
  assert.equal(bytes(encodeS32(63)), [0x3f])
  assert.equal(bytes(encodeS32(64)), [0xc0, 0x00])
  assert.equal(bytes(encodeS32(-64)), [0x40])
  assert.equal(bytes(encodeS32(-65)), [0xbf, 0x7f])
  assert.equal(bytes(encodeS32(-123456)), [0xc0, 0xbb, 0x78])
  for (const n of [0, 1, -1, 63, -64, 64, -65, 2 ** 31 - 1, -(2 ** 31)])
    assert.is(new ByteReader(encodeS32(n)).s32(), n)
  for (const n of [0, 2 ** 32 - 1, -(2 ** 32)]) assert.is(new ByteReader(encodeS33(n)).s33(), n)
  for (const n of [0n, -1n, (1n << 63n) - 1n, -(1n << 63n), 10n ** 8n])
    assert.is(new ByteReader(encodeS64(n)).s64(), n)
  assert.equal(
    bytes(encodeS64((1n << 63n) - 1n)),
    [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00],
  )
  assert.throws(() => encodeS32(2 ** 31), /not an s32/)
  assert.throws(() => encodeS64(1n << 63n), /not an s64/)
})

test('the reader refuses overlong, out-of-range and truncated integers, naming the byte', () => {
  assert.throws(
    () => new ByteReader(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x01)).u32(),
    /u32 LEB128 longer than 5 bytes at byte 0/,
  )
  assert.throws(
    () => new ByteReader(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x1f)).u32(),
    /u32 out of range at byte 0/,
  )
  assert.throws(
    () => new ByteReader(Uint8Array.of(0x80, 0x80), 0, 2, 100).u32(),
    /unexpected end of input at byte 102/,
  )
  assert.throws(
    () => new ByteReader(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x00)).s32(),
    /s32 LEB128 longer than 5 bytes/,
  )
  const skip = new ByteReader(Uint8Array.of(0xe5, 0x8e, 0x26, 0x7f))
  skip.skipLeb()
  assert.is(skip.pos, 3)
})

test('names are length-prefixed UTF-8; invalid UTF-8 is an error', () => {
  assert.is(new ByteReader(Uint8Array.of(0x03, 0xc3, 0xa9, 0x21)).name(), 'é!')
  assert.throws(
    () => new ByteReader(Uint8Array.of(0x01, 0xff)).name(),
    /name is not valid UTF-8 at byte 1/,
  )
})

test.run()
