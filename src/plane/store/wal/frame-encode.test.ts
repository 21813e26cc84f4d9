import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { encodeFrame } from './format.ts'
import { encodeRecord, type WalOp } from './records.ts'
import {
  txnFrameBound,
  versionsFrameBound,
  writeTxnFrame,
  writeVersionsFrame,
} from './frame-encode.ts'
import { Encoder } from 'cbor-x'
import type { Revision } from '../mvcc/revision.ts'

test('writes exactly the bytes of encodeFrame(encodeRecord(txn)) for every head size', () => {
  const out = Buffer.alloc(1 << 20)
  for (const rev of [1, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 40]) {
    for (const size of [0, 1, 23, 24, 255, 256, 65535, 65536, 70000]) {
      const ops: WalOp[] = [
        { key: 'k'.repeat((size % 300) + 1), value: new Uint8Array(size).fill(size & 0xff) },
        { key: '/é/ü/日本' },
        { key: 'l', value: new Uint8Array([1]), lease: size + 24 },
      ]
      const want = encodeFrame(encodeRecord({ type: 'txn', revision: rev, ops }))
      const at = 3
      const end = writeTxnFrame(out, at, rev, ops)
      assert.ok(end - at <= txnFrameBound(ops), 'within the bound')
      assert.ok(out.subarray(at, end).equals(want), `rev ${rev} size ${size}`)
    }
  }
})

test('writes snapshot chunks exactly as cbor-x + encodeFrame do, tombstones included', () => {
  const cbor = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false })
  const out = Buffer.alloc(1 << 20)
  const versions: Revision[] = []
  for (const n of [0, 1, 23, 24, 255, 256, 65535, 65536, 70000, 2 ** 32 - 1, 2 ** 32 + 5]) {
    versions.push({
      key: `/k/${n}/ü`,
      rev: n,
      create: n,
      version: (n % 7) + 1,
      value: new Uint8Array(n % 70001).fill(3),
      lease: n,
    })
    versions.push({ key: `/t/${n}`, rev: n, create: 0, version: 0, value: undefined, lease: 0 })
  }
  const want = encodeFrame(
    cbor.encode([
      11,
      versions.map((r) => [r.key, r.rev, r.create, r.version, r.value ?? null, r.lease]),
    ]),
  )
  const end = writeVersionsFrame(out, 5, versions)
  assert.ok(end - 5 <= versionsFrameBound(versions))
  assert.ok(out.subarray(5, end).equals(want))
})

test.run()
