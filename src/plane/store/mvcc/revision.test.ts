import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { LazyRevision, ValueRef, makeRevision, tombstone, type ValueSource } from './revision.ts'

function source(name: string, bytes: Buffer) {
  const reads: [number, number][] = []
  const s: ValueSource & { reads: typeof reads } = { name, reads, read: (o, n) => (reads.push([o, n]), Uint8Array.from(bytes.subarray(o, o + n))) }
  return s
}

const file = Buffer.from(Array.from({ length: 20000 }, (_, i) => i & 0xff))
const lazy = (src: ValueSource, offset: number, length: number, key = `k${offset}`) => makeRevision(key, 1, 1, 1, new ValueRef(src, offset, length), 0)

test('readAll reads neighbours with one read, far ones apart, and every value is exact', () => {
  const a = source('a', file)
  const b = source('b', file)
  const near = [lazy(a, 100, 10), lazy(a, 120, 5), lazy(a, 110, 10)] // out of order, small gaps
  const far = lazy(a, 15000, 20)
  const other = lazy(b, 130, 7)
  const plain = makeRevision('p', 1, 1, 1, new Uint8Array([1]), 0)
  const all = [...near, far, other, plain, tombstone('t', 2)]
  LazyRevision.readAll(all)
  assert.equal(a.reads, [[100, 25], [15000, 20]])
  assert.equal(b.reads, [[130, 7]])
  for (const r of [...near, far, other]) {
    assert.not.ok((r as LazyRevision).onDisk)
    const { offset, length } = { offset: Number(r.key.slice(1)), length: r.value!.length }
    assert.equal([...r.value!], [...file.subarray(offset, offset + length)], r.key)
  }
  assert.is(a.reads.length, 2, 'values read once, then kept')
})

test('a run stops at 1 MiB', () => {
  const big = Buffer.alloc(3 << 20)
  const s = source('s', big)
  const revs = Array.from({ length: 6 }, (_, i) => lazy(s, i * (512 << 10), 1000))
  LazyRevision.readAll(revs)
  assert.ok(s.reads.length >= 3, `${s.reads.length} reads`)
  assert.ok(s.reads.every(([, n]) => n <= 1 << 20))
})

test.run()
