import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as der from './der.ts'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

test('object identifiers use base-128 arcs', () => {
  assert.is(hex(der.objectId('1.2.840.10045.4.3.2')), '06082a8648ce3d040302')
  assert.is(hex(der.objectId('2.5.29.17')), '0603551d11')
})

test('lengths switch to the long form at 128 bytes', () => {
  assert.is(hex(der.octetString(new Uint8Array(127))).slice(0, 4), '047f')
  assert.is(hex(der.octetString(new Uint8Array(128))).slice(0, 6), '048180')
  assert.is(hex(der.octetString(new Uint8Array(300))).slice(0, 8), '0482012c')
})

test('integers are minimal and never negative', () => {
  assert.is(hex(der.smallInteger(2)), '020102')
  assert.is(hex(der.unsignedInteger(Uint8Array.of(0x80))), '02020080')
  assert.is(hex(der.unsignedInteger(Uint8Array.of(0, 0, 0x7f))), '02017f')
  assert.is(hex(der.unsignedInteger(Uint8Array.of(0))), '020100')
})

test('times before 2050 are UTCTime, later ones GeneralizedTime', () => {
  assert.is(
    Buffer.from(der.time(new Date('2026-11-29T04:53:43.999Z'))).toString('latin1'),
    '\x17\x0d261129045343Z',
  )
  assert.is(
    Buffer.from(der.time(new Date('2050-01-01T00:00:00Z'))).toString('latin1'),
    '\x18\x0f20500101000000Z',
  )
})

test('tags: sequence, set, boolean, explicit and implicit context tags', () => {
  assert.is(hex(der.sequence()), '3000')
  assert.is(hex(der.set(der.boolean(true))), '31030101ff')
  assert.is(hex(der.explicit(0, der.smallInteger(2))), 'a003020102')
  assert.is(hex(der.implicit(7, Uint8Array.of(127, 0, 0, 1))), '87047f000001')
  assert.is(hex(der.bitString(Uint8Array.of(0x86), 1)), '03020186')
})

test.run()
