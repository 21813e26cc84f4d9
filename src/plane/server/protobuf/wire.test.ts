import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { packedVarints, readVarint, wireFields } from './wire.ts'

const all = (bytes: number[]) => [...wireFields(Uint8Array.from(bytes))]

test('varints: one byte, multi-byte, 64-bit negatives', () => {
  assert.equal(readVarint(Uint8Array.from([0x96, 0x01]), 0), [150, 2])
  assert.equal(readVarint(Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x10]), 0), [2 ** 32, 5])
  assert.equal(
    readVarint(Uint8Array.from([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), 0),
    [-2, 10],
  )
  assert.equal(packedVarints(Uint8Array.from([1, 0x96, 0x01])), [1, 150])
})

test('fields of every wire type Kubernetes uses, in order', () => {
  const fields = all([
    0x08, 0x2a, 0x12, 0x02, 0x68, 0x69, 0x19, 1, 2, 3, 4, 5, 6, 7, 8, 0x25, 1, 2, 3, 4,
  ])
  assert.equal(
    fields.map((f) => [f.no, f.wire]),
    [
      [1, 0],
      [2, 2],
      [3, 1],
      [4, 5],
    ],
  )
  assert.is(fields[0].int, 42)
  assert.equal([...fields[1].bytes!], [0x68, 0x69])
})

test('malformed input names the problem', () => {
  assert.throws(() => all([0x08]), /truncated varint at byte 1/)
  assert.throws(
    () => all([0x12, 0x05, 0x61]),
    /field 2 is truncated: 5 bytes announced at byte 0, 1 left/,
  )
  assert.throws(() => all([0x0b]), /field 1 has unsupported wire type 3/)
  assert.throws(() => all([0x0f]), /unsupported wire type 7/)
  assert.throws(() => all([0x00, 0x01]), /invalid field number 0/)
  assert.throws(
    () => all([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
    /varint longer than 10 bytes/,
  )
  assert.throws(() => all([0x19, 1, 2]), /field 3 is truncated/)
})

test.run()
