import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Encoder } from 'cbor-x'
import { encodeRecord, fastDecodeTxn, ValuePlace, type WalRecord } from './records.ts'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ValueFiles } from './value-file.ts'
import { CorruptError } from '../../../core/index.ts'

const cbor = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false })
const plain = (r: WalRecord) =>
  r.type === 'txn'
    ? { ...r, ops: r.ops.map((o) => ({ ...o, value: o.value && [...(o.value as Uint8Array)] })) }
    : r

test('decodes txn records exactly as the general decoder does, for every length form', () => {
  const cases: WalRecord[] = []
  for (const rev of [1, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1]) {
    for (const size of [0, 5, 23, 24, 255, 256, 70000]) {
      cases.push({
        type: 'txn',
        revision: rev,
        ops: [
          { key: 'k'.repeat(size % 300 || 1), value: new Uint8Array(size).fill(7) },
          { key: '/é/ü' },
          { key: 'l', value: new Uint8Array([1]), lease: 300 },
        ],
      })
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
  const good = encodeRecord({
    type: 'txn',
    revision: 3,
    ops: [{ key: 'abc', value: new Uint8Array(10) }],
  })
  assert.is(fastDecodeTxn(good.subarray(0, good.length - 1)), undefined, 'truncated')
  assert.is(fastDecodeTxn(Uint8Array.from([...good, 0])), undefined, 'trailing byte')
  const badUtf8 = Uint8Array.from([0x83, 0x01, 0x03, 0x81, 0x81, 0x62, 0xff, 0xfe])
  assert.is(fastDecodeTxn(badUtf8), undefined)
})

test('with a file place, the values of a txn become places in the file', () => {
  const source = { name: 'mem', read: () => new Uint8Array(0) }
  const txn = encodeRecord({
    type: 'txn',
    revision: 4,
    ops: [{ key: 'k', value: new Uint8Array([9, 9]) }],
  })
  const r = fastDecodeTxn(txn, { source, offset: 100 })! as { ops: { value: ValuePlace }[] }
  const ref = r.ops[0].value
  assert.ok(ref instanceof ValuePlace)
  assert.equal([...txn.subarray(ref.offset - 100, ref.offset - 100 + ref.length)], [9, 9])
})

test('a value whose file was retired is a Corrupt error naming the file, not wrong bytes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-vf-'))
  const path = join(dir, 'seg')
  writeFileSync(path, 'abcdef')
  const files = new ValueFiles()
  const f = files.open(path)
  assert.is(Buffer.from(f.read(2, 3)).toString(), 'cde')
  assert.throws(() => f.read(4, 10), /ends before the value at byte 4/)
  files.retire(path)
  assert.throws(
    () => f.read(0, 1),
    (e: Error) => e instanceof CorruptError && e.message.includes(path),
  )
  rmSync(dir, { recursive: true })
})

test.run()
