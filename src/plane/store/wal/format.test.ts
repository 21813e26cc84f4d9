import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { encodeFrame, scanFrames } from './format.ts'
import { decodeRecord, encodeRecord } from './records.ts'

const rec = (i: number) =>
  encodeFrame(
    encodeRecord({
      type: 'txn',
      revision: i,
      ops: [{ key: `/k/${i}`, value: new Uint8Array(600).fill(i) }],
    }),
  )
const log = (n: number) => Buffer.concat(Array.from({ length: n }, (_, i) => rec(i + 1)))

test('frames are [u32 length][u32 crc32][payload], little-endian', () => {
  const payload = encodeRecord({ type: 'compact', revision: 7 })
  const f = encodeFrame(payload)
  assert.is(f.readUInt32LE(0), payload.length)
  assert.equal(f.subarray(8), Buffer.from(payload))
  assert.equal(decodeRecord(f.subarray(8)), { type: 'compact', revision: 7 })
})

test('a clean log scans to its end', () => {
  const buf = log(5)
  const s = scanFrames(buf)
  assert.is(s.frames.length, 5)
  assert.is(s.end, buf.length)
  assert.is(s.torn, undefined)
  assert.is(s.damage, undefined)
})

test('a record cut short at the end is a torn tail', () => {
  const buf = log(3)
  const s = scanFrames(buf.subarray(0, buf.length - 10))
  assert.is(s.frames.length, 2)
  assert.match(s.torn!.reason, /runs past the end/)
})

test('a bad CRC followed by valid records is damage, at the bad record', () => {
  const buf = log(4)
  const second = rec(1).length
  buf[second + 100] ^= 0xff
  const s = scanFrames(buf)
  assert.equal(s.damage, { offset: second, reason: 'CRC mismatch' })
})

test('a corrupted length mid-log is damage, not a torn tail', () => {
  const buf = log(4)
  buf.writeUInt32LE(0x7fffffff, rec(1).length)
  assert.ok(scanFrames(buf).damage)
})

test('a zeroed sector inside a record is a write that never landed: torn, even with valid data after it', () => {
  const buf = Buffer.concat([log(2), Buffer.alloc(1024, 0), log(1)])
  const bad = log(2).length
  buf.writeUInt32LE(1500, bad) // a header whose data is all zeros
  const s = scanFrames(buf)
  assert.is(s.damage, undefined)
  assert.is(s.torn!.offset, bad)
})

test('records with a good CRC but no record inside are rejected by the decoder check', () => {
  const junk = encodeFrame(Buffer.from([0x83, 0x01, 0x02, 0x03]))
  const buf = Buffer.concat([log(1), junk])
  const s = scanFrames(buf, (p) =>
    typeof decodeRecord(p) === 'string' ? 'not a record' : undefined,
  )
  assert.is(s.torn!.reason, 'not a record')
})

test.run()
