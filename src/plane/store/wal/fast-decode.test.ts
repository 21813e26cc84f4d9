import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Encoder } from 'cbor-x'
import { fastDecodeTxn, fastDecodeVersions } from './fast-decode.ts'
import { encodeRecord, type WalRecord } from './records.ts'

const cbor = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false })
const plain = (r: WalRecord) => (r.type === 'txn' ? { ...r, ops: r.ops.map((o) => ({ ...o, value: o.value && [...o.value] })) } : r)

test('decodes txn records exactly as the general decoder does, for every length form', () => {
  const cases: WalRecord[] = []
  for (const rev of [1, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1]) {
    for (const size of [0, 5, 23, 24, 255, 256, 70000]) {
      cases.push({ type: 'txn', revision: rev, ops: [{ key: 'k'.repeat(size % 300 || 1), value: new Uint8Array(size).fill(7) }, { key: '/é/ü' }, { key: 'l', value: new Uint8Array([1]), lease: 300 }] })
    }
  }
  for (const r of cases) {
    const bytes = encodeRecord(r)
    const fast = fastDecodeTxn(bytes)
    assert.ok(fast, `fast path declined rev ${(r as { revision: number }).revision}`)
    assert.equal(plain(fast!), plain(r))
  }
})

test('declines anything else instead of guessing', () => {
  assert.is(fastDecodeTxn(encodeRecord({ type: 'compact', revision: 5 })), undefined)
  assert.is(fastDecodeTxn(cbor.encode([1, 2 ** 40, []])), undefined) // 8-byte integer
  assert.is(fastDecodeTxn(cbor.encode([1, 3, [['k', 'not bytes']]])), undefined)
  const good = encodeRecord({ type: 'txn', revision: 3, ops: [{ key: 'abc', value: new Uint8Array(10) }] })
  assert.is(fastDecodeTxn(good.subarray(0, good.length - 1)), undefined, 'truncated')
  assert.is(fastDecodeTxn(Uint8Array.from([...good, 0])), undefined, 'trailing byte')
  const badUtf8 = Uint8Array.from([0x83, 0x01, 0x03, 0x81, 0x81, 0x62, 0xff, 0xfe])
  assert.is(fastDecodeTxn(badUtf8), undefined)
})

test('decodes snapshot chunks of key versions, tombstones included, and declines other shapes', () => {
  const versions = [
    { key: '/a', rev: 5, create: 3, version: 2, value: new Uint8Array([1, 2]), lease: 0 },
    { key: '/b', rev: 70000, create: 0, version: 0, value: undefined, lease: 0 },
    { key: '/c', rev: 9, create: 9, version: 1, value: new Uint8Array(300).fill(4), lease: 77 },
  ]
  const chunk = cbor.encode([11, versions.map((r) => [r.key, r.rev, r.create, r.version, r.value ?? null, r.lease])])
  const got = fastDecodeVersions(chunk)!
  assert.equal(got.map((v) => ({ ...v, value: v.value && [...v.value] })), versions.map((v) => ({ ...v, value: v.value && [...v.value] })))
  assert.is(fastDecodeVersions(cbor.encode([10, 1, 2])), undefined)
  assert.is(fastDecodeVersions(chunk.subarray(0, chunk.length - 2)), undefined)
})

test.run()
