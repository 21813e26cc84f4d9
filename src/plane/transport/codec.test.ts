import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { encode } from 'cbor-x'
import { decodeFromNode, encodeMessage } from './codec.ts'

test('a message from a node decodes and passes its checks', () => {
  const r = decodeFromNode(encode({ type: 'applied', revision: 7 }))
  assert.equal(r, { ok: true, value: { type: 'applied', revision: 7 } })
})

test('what is not a JSON-like CBOR map is a value saying why, never a throw', () => {
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array([0xff, 0x00]), /not CBOR/],
    [new Uint8Array(0), /not CBOR/],
    [new Uint8Array([0x9b, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]), /not CBOR/],
    [new Uint8Array([...new Array(200).fill(0x81), 1]), /nested more than 100 levels/],
    [encode({ type: 'applied', revision: new Uint8Array([1]) }), /holds a value of type/],
    [encode(new Map<unknown, unknown>([[1, 2]])), /map key of type Number/],
    [encode({ type: 'applied', revision: 2n ** 70n }), /holds|applied/],
    [encode({ type: 'status-ack', id: 'x' }), /is not sent by nodes/],
  ]
  for (const [bytes, re] of cases) {
    const r = decodeFromNode(bytes)
    assert.not.ok(r.ok)
    if (!r.ok) assert.match(r.error, re)
  }
})

test('a "__proto__" key stays a plain key, the prototype untouched', () => {
  const bytes = encode(
    new Map<string, unknown>([
      ['type', 'heartbeat'],
      ['__proto__', { x: 1 }],
    ]),
  )
  const r = decodeFromNode(bytes)
  assert.not.ok(r.ok) // a heartbeat without its fields
  assert.is(({} as Record<string, unknown>).x, undefined)
})

test('a message to a node encodes as a CBOR map', () => {
  const bytes = encodeMessage({ type: 'status-ack', id: 'r1' })
  assert.is(bytes[0] >> 5, 5, 'major type 5: a map')
})

test.run()
