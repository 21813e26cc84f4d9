import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { decodeMessage } from './decode.ts'
import { defineSchema, unresolvedTypes } from './schema.ts'
import { k8sSchema } from '../protobuf.ts'

const schema = defineSchema({
  Sample:
    '1:counts:[]int 2:flags:[]bool 3:count:int 4:kept:int? 5:name 6:when:Time 7:at:MicroTime 8:size:Quantity 9:items:[]Item 10:*:Item',
  Item: '1:label 2:weight:int?',
})
const sample = { schema, type: 'Sample' }

test('repeated scalars decode packed and unpacked; negative int64 survives', () => {
  // 1: packed [1, 300, -1]; 1: unpacked 5; 2: packed [true, false]
  const buf = Uint8Array.from([
    0x0a, 0x0d, 1, 0xac, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x08, 5,
    0x12, 2, 1, 0,
  ])
  assert.equal(decodeMessage(buf, sample), { counts: [1, 300, -1, 5], flags: [true, false] })
})

test('zero value fields drop, pointer fields keep; wrappers; inline and repeated messages', () => {
  const time = [0x08, 0xa5, 0xeb, 0xdc, 0xca, 0x06, 0x10, 0xc0, 0x84, 0x3d] // 1767323045 s, 1000000 ns
  const buf = Uint8Array.from([
    0x18,
    0,
    0x20,
    0,
    0x2a,
    0,
    0x32,
    time.length,
    ...time,
    0x3a,
    time.length,
    ...time,
    0x42,
    3,
    0x0a,
    1,
    0x33,
    0x4a,
    3,
    0x0a,
    1,
    0x61,
    0x52,
    3,
    0x0a,
    1,
    0x62,
  ])
  assert.equal(decodeMessage(buf, sample), {
    kept: 0,
    when: '2026-01-02T03:04:05Z',
    at: '2026-01-02T03:04:05.001000Z',
    size: '3',
    items: [{ label: 'a' }],
    label: 'b',
  })
  assert.equal(
    decodeMessage(Uint8Array.from([0x32, 0]), sample),
    {},
    'an empty Time is the zero time: left out, as JSON null',
  )
})

test('the Kubernetes tables parse and every message they name is defined', () => {
  assert.equal(unresolvedTypes(k8sSchema), [])
  assert.ok(Object.keys(k8sSchema).length > 50)
  assert.throws(() => defineSchema({ Bad: '1:a 1:b' }), /field 1 twice in Bad/)
  assert.throws(() => defineSchema({ Bad: 'x:a' }), /bad field "x:a"/)
})

test.run()
