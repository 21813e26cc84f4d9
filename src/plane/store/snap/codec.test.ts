import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Encoder } from 'cbor-x'
import { encodeFrame } from '../wal/index.ts'
import { LazyRevision, type Revision } from '../mvcc/index.ts'
import { fastDecodeVersions, versionsFrameBound, writeVersionsFrame } from './codec.ts'

const cbor = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false })

test('writes snapshot chunks exactly as cbor-x + encodeFrame do, tombstones included', () => {
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

test('decodes snapshot chunks of key versions, tombstones included, and declines other shapes', () => {
  const versions = [
    { key: '/a', rev: 5, create: 3, version: 2, value: new Uint8Array([1, 2]), lease: 0 },
    { key: '/b', rev: 70000, create: 0, version: 0, value: undefined, lease: 0 },
    { key: '/c', rev: 9, create: 9, version: 1, value: new Uint8Array(300).fill(4), lease: 77 },
  ]
  const chunk = cbor.encode([
    11,
    versions.map((r) => [r.key, r.rev, r.create, r.version, r.value ?? null, r.lease]),
  ])
  const got = fastDecodeVersions(chunk)!
  assert.equal(
    got.map((v) => ({ ...v, value: v.value && [...v.value] })),
    versions.map((v) => ({ ...v, value: v.value && [...v.value] })),
  )
  assert.is(fastDecodeVersions(cbor.encode([10, 1, 2])), undefined)
  assert.is(fastDecodeVersions(chunk.subarray(0, chunk.length - 2)), undefined)
})

test('with a file place, values are read from the file on first use; tombstones stay plain', () => {
  const chunk = cbor.encode([
    11,
    [
      ['/a', 5, 3, 2, new Uint8Array([1, 2, 3]), 0],
      ['/b', 6, 0, 0, null, 0],
    ],
  ])
  const file = Buffer.concat([Buffer.from('prefix..'), chunk])
  const reads: [number, number][] = []
  const source = {
    name: 'mem',
    read: (o: number, n: number) => (reads.push([o, n]), file.subarray(o, o + n)),
  }
  const [a, b] = fastDecodeVersions(chunk, { source, offset: 8 })!
  assert.ok(a instanceof LazyRevision && a.onDisk, 'not read while decoding')
  assert.equal(reads, [])
  assert.equal([...a.value!], [1, 2, 3])
  assert.equal([...a.value!], [1, 2, 3])
  assert.is(reads.length, 1, 'read once, then kept by the read cache')
  assert.not.ok(b instanceof LazyRevision)
  assert.is(b.value, undefined)
})

test.run()
