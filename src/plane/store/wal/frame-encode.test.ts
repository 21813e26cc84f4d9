import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { encodeFrame } from './format.ts'
import { encodeRecord, type WalOp } from './records.ts'
import { txnFrameBound, writeTxnFrame } from './frame-encode.ts'

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

test.run()
