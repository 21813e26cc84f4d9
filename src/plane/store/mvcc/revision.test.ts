import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { LazyRevision, makeRevision, tombstone, type ValueSource } from './revision.ts'

function source(name: string, bytes: Buffer) {
  const reads: [number, number][] = []
  const s: ValueSource & { reads: typeof reads } = {
    name,
    reads,
    read: (o, n) => (reads.push([o, n]), Uint8Array.from(bytes.subarray(o, o + n))),
  }
  return s
}

const file = Buffer.from(Array.from({ length: 20000 }, (_, i) => i & 0xff))
const lazy = (src: ValueSource, offset: number, length: number, key = `k${offset}`) =>
  makeRevision(key, 1, 1, 1, { source: src, offset, length }, 0)
const bytesAt = (offset: number, length: number) => [...file.subarray(offset, offset + length)]

test('readAll reads neighbours with one read, far ones apart, every value exact, and keeps nothing (ranges bypass the read cache)', () => {
  const a = source('a', file)
  const b = source('b', file)
  const near = [lazy(a, 100, 10), lazy(a, 120, 5), lazy(a, 110, 10)] // out of order, small gaps
  const far = lazy(a, 15000, 20)
  const other = lazy(b, 130, 7)
  const plain = makeRevision('p', 1, 1, 1, new Uint8Array([1]), 0)
  const all = [...near, far, other, plain, tombstone('t', 2)]
  const values = LazyRevision.readAll(all)
  assert.equal(a.reads, [
    [100, 25],
    [15000, 20],
  ])
  assert.equal(b.reads, [[130, 7]])
  for (const [i, r] of [...near, far, other].entries()) {
    assert.ok((r as LazyRevision).onDisk, 'not kept in memory')
    assert.equal(
      [...values[i]!],
      bytesAt(Number(r.key.slice(1)), (r as LazyRevision).length),
      r.key,
    )
  }
  assert.equal([...values[5]!], [1])
  assert.is(values[6], undefined, 'a tombstone has no value')
  values[0]![0] ^= 0xff
  LazyRevision.readAll(near)
  assert.is(a.reads.length, 3, 'read again by the next range')
  assert.equal([...near[0].value], bytesAt(100, 10), 'values handed out are copies')
})

test('a run stops at 1 MiB', () => {
  const big = Buffer.alloc(3 << 20)
  const s = source('s', big)
  const revs = Array.from({ length: 6 }, (_, i) => lazy(s, i * (512 << 10), 1000))
  LazyRevision.readAll(revs)
  assert.ok(s.reads.length >= 3, `${s.reads.length} reads`)
  assert.ok(s.reads.every(([, n]) => n <= 1 << 20))
})

test('a new value is in memory until settled, then read from its place; a place set by moveTo wins', () => {
  const seg = source('seg', file)
  const snap = source('snap', file)
  const r = makeRevision('k', 5, 5, 1, Uint8Array.from(file.subarray(300, 310)), 0)
  assert.not.ok(r.onDisk)
  assert.is(r.length, 10)
  assert.equal([...r.value], bytesAt(300, 10))
  r.settle(seg, 300)
  assert.ok(r.onDisk)
  assert.is(r.source, seg)
  r.moveTo(snap, 300)
  assert.equal([...r.value], bytesAt(300, 10))
  assert.equal(snap.reads, [[300, 10]], 'read from the snapshot after the move')
  assert.equal(seg.reads, [])

  // a snapshot may place a value before its record's settle runs: the settle must not undo it
  const early = makeRevision('e', 6, 6, 1, Uint8Array.from(file.subarray(40, 44)), 0)
  early.moveTo(snap, 40)
  early.settle(seg, 9999)
  assert.is(early.source, snap)
  assert.equal([...early.value], bytesAt(40, 4))

  const pinned = lazy(seg, 500, 8)
  pinned.pin()
  assert.is(pinned.source, undefined, 'a pinned value no longer needs its file')
  assert.not.ok(pinned.onDisk)
  const n = seg.reads.length
  assert.equal([...pinned.value], bytesAt(500, 8))
  assert.is(seg.reads.length, n, 'a pinned value is not read again')
})

test('single reads are kept in a bounded cache, oldest out first; big values and pinned ones are handled', () => {
  const big = Buffer.alloc(16 << 20, 7)
  const s = source('cache', big)
  const chunk = 128 << 10
  const revs = Array.from({ length: 100 }, (_, i) => lazy(s, i * chunk, chunk)) // 12.5 MiB in all
  const keep = lazy(s, 15 << 20, 1000)
  void keep.value
  keep.pin() // e.g. its file is being deleted: it must survive eviction
  for (const r of revs) void r.value
  assert.is(s.reads.length, 101)
  const { bytes, values } = LazyRevision.readCache
  assert.ok(bytes <= 8 << 20, `${bytes} bytes cached`)
  assert.ok(values >= 60, `${values} values cached`)
  assert.ok(revs[0].onDisk, 'the oldest went back to disk')
  assert.not.ok(revs[99].onDisk, 'the newest is kept')
  assert.ok(revs[99].cached)
  void revs[99].value
  assert.is(s.reads.length, 101, 'a cached value is not read again')
  void revs[0].value
  assert.is(s.reads.length, 102, 'an evicted one is')
  assert.not.ok(keep.onDisk, 'a pinned value stays in memory')
  assert.equal([...keep.value], [...big.subarray(15 << 20, (15 << 20) + 1000)])
  const huge = lazy(s, 0, 1 << 20)
  void huge.value
  assert.ok(huge.onDisk, 'values over 256 KiB are not cached')
})

test('readAll into an arena: views of one lent buffer, exact across runs and files, nothing allocated per value, reused by the next call', () => {
  const bytes = Buffer.from(Array.from({ length: 20000 }, (_, i) => (i * 7) & 0xff))
  const mk = (name: string) =>
    Object.assign(source(name, bytes), {
      readInto: (out: Buffer, o: number, n: number) => (
        bytes.copy(out, 0, o, o + n),
        out.subarray(0, n)
      ),
    })
  const a = mk('a')
  const b = mk('b')
  const vs = [
    lazy(a, 10, 30),
    lazy(a, 45, 5),
    lazy(a, 9000, 100),
    lazy(b, 0, 64),
    makeRevision('m', 1, 1, 1, new Uint8Array([9]), 0),
    tombstone('t', 2),
  ]
  const arena = { buf: Buffer.alloc(128), used: 0 }
  const first = arena.buf
  const values = LazyRevision.readAll(vs, arena)
  for (const [i, [o, n]] of [
    [10, 30],
    [45, 5],
    [9000, 100],
    [0, 64],
  ].entries())
    assert.equal([...values[i]!], [...bytes.subarray(o, o + n)], `value ${i}`)
  assert.equal([...values[4]!], [9])
  assert.is(values[5], undefined)
  assert.ok(values[0]!.buffer === first.buffer, 'the first run went into the lent buffer')
  assert.ok(
    arena.buf !== first,
    'a run that did not fit got a new buffer (the views of the old one stay valid)',
  )
  assert.equal([...values[0]!], [...bytes.subarray(10, 40)], 'still exact after the arena moved on')
  assert.ok(
    vs.slice(0, 4).every((r) => (r as LazyRevision).onDisk),
    'nothing kept in memory',
  )
})

test.run()
