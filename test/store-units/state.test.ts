// StoreState on its own (src/plane/store/state.ts): the in-memory state and the one way it
// changes, applying log records — revisions in sequence, leases and their keys, compaction,
// snapshot restore, and replay from a scanned record giving what apply() gives.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CorruptError, FakeClock, isShoalError } from '../../src/core/index.ts'
import type { Revision, ValueSource } from '../../src/plane/store/mvcc/index.ts'
import { StoreState } from '../../src/plane/store/state.ts'
import type { WalRecord } from '../../src/plane/store/wal/index.ts'

const bytes = (s: string) => new TextEncoder().encode(s)
const text = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined)

function fixture() {
  const clock = new FakeClock(0)
  const expired: number[] = []
  const state = new StoreState(clock, (id) => expired.push(id))
  return { clock, expired, state }
}

const txn = (revision: number, ops: Record<string, string | null>, lease = 0): WalRecord => ({
  type: 'txn',
  revision,
  ops: Object.entries(ops).map(([key, v]) =>
    v === null ? { key } : { key, value: bytes(v), ...(lease ? { lease } : {}) },
  ),
})

/** key → [value, createRevision, modRevision, version, lease] of its latest live version */
const latest = (s: StoreState, key: string) => {
  const r = s.index.latest(key)
  return r && [text(r.value), r.create, r.rev, r.version, r.lease]
}

/** the errors apply() throws, as [code, message, file] */
function corrupt(fn: () => void): [string, string, string] {
  try {
    fn()
  } catch (e) {
    assert.instance(e, CorruptError)
    const c = e as CorruptError
    return [c.code, c.message, c.file]
  }
  throw new Error('expected a CorruptError')
}

test('txn records advance the head one revision at a time, each key keeping its history', () => {
  const { state } = fixture()
  state.apply(txn(1, { a: '1', b: '1' }))
  state.apply(txn(2, { a: '2' }))
  state.apply(txn(3, { b: null }))
  assert.is(state.head, 3)
  assert.equal(latest(state, 'a'), ['2', 1, 2, 2, 0])
  assert.is(latest(state, 'b'), undefined, 'deleted')
  assert.is(text(state.index.at('b', 2)!.value), '1', 'readable at an older revision')
  assert.is(text(state.index.at('a', 1)!.value), '1')
})

test('applyOps returns the new versions: a tombstone for a delete, nothing for a missing key', () => {
  const { state } = fixture()
  state.applyOps(1, [{ key: 'a', value: bytes('x') }])
  const out = state.applyOps(2, [{ key: 'a' }, { key: 'never' }])
  assert.equal(
    out.map((r: Revision) => [r.key, r.rev, r.version]),
    [['a', 2, 0]],
  )
  assert.is(state.head, 2, 'the revision counts even when it deletes nothing else')
})

test('a revision gap is Corrupt, naming the segment (or memory for a live write)', () => {
  const { state } = fixture()
  state.apply(txn(1, { a: '1' }))
  assert.equal(
    corrupt(() => state.apply(txn(3, { a: '3' }), 'seg-0001.log')),
    ['Corrupt', 'store: revision gap in seg-0001.log: expected 2, found 3', 'seg-0001.log'],
  )
  assert.equal(
    corrupt(() => state.apply(txn(1, { a: 'again' }))),
    ['Corrupt', 'store: revision gap in memory: expected 2, found 1', 'memory'],
  )
  assert.is(state.head, 1)
  assert.equal(latest(state, 'a'), ['1', 1, 1, 1, 0], 'nothing of a refused record applied')
})

test('in replay, a txn the snapshot already holds is skipped', () => {
  const { state } = fixture()
  state.apply(txn(1, { a: 'snap' }))
  state.apply(txn(2, { a: 'snap2' }))
  state.apply(txn(2, { a: 'log copy' }), 'seg-0001.log')
  state.apply(txn(3, { a: 'new' }), 'seg-0001.log')
  assert.equal(latest(state, 'a'), ['new', 1, 3, 3, 0])
})

test('leases: keys written with a lease are attached, and detached when overwritten or deleted', () => {
  const { state } = fixture()
  state.apply({ type: 'lease-grant', id: 5, ttl: 30 })
  state.apply(txn(1, { a: '1', b: '1', c: '1' }, 5))
  assert.equal(state.lessor.keys(5), ['a', 'b', 'c'])
  state.apply(txn(2, { a: 'no lease' }))
  state.apply(txn(3, { b: null }))
  assert.equal(state.lessor.keys(5), ['c'])
  assert.equal(latest(state, 'c'), ['1', 1, 1, 1, 5])
})

test('a lease-revoke record deletes its keys at its revision, then forgets the lease', () => {
  const { state } = fixture()
  state.apply({ type: 'lease-grant', id: 5, ttl: 30 })
  state.apply(txn(1, { a: '1', b: '1', other: '1' }, 5))
  state.apply(txn(2, { other: 'kept' }))
  state.apply({ type: 'lease-revoke', id: 5, revision: 3, keys: ['a', 'b'] })
  assert.is(state.head, 3)
  assert.is(latest(state, 'a'), undefined)
  assert.is(latest(state, 'b'), undefined)
  assert.equal(latest(state, 'other'), ['kept', 1, 2, 2, 0])
  assert.is(state.lessor.has(5), false)
  // replayed again below the head (already in a snapshot): the lease goes, nothing else happens
  state.apply({ type: 'lease-grant', id: 6, ttl: 30 })
  state.apply({ type: 'lease-revoke', id: 6, revision: 2, keys: ['other'] }, 'seg-0001.log')
  assert.is(state.head, 3)
  assert.equal(latest(state, 'other'), ['kept', 1, 2, 2, 0])
  assert.is(state.lessor.has(6), false)
})

test('a granted lease expires on the clock once the lessor runs', () => {
  const { clock, expired, state } = fixture()
  state.apply({ type: 'lease-grant', id: 9, ttl: 2 })
  clock.advance(5_000)
  assert.equal(expired, [], 'not during replay')
  state.lessor.start()
  clock.advance(2_000)
  assert.equal(expired, [9])
})

test('compact records drop superseded history and never move the compact revision back', () => {
  const { state } = fixture()
  state.apply(txn(1, { a: '1' }))
  state.apply(txn(2, { a: '2' }))
  state.apply(txn(3, { a: '3' }))
  state.apply({ type: 'compact', revision: 2 })
  assert.is(state.compactRevision, 2)
  assert.is(state.index.at('a', 1), undefined, 'version 1 is gone')
  assert.is(text(state.index.at('a', 2)!.value), '2', 'the state at the compact revision stays')
  state.apply({ type: 'compact', revision: 1 })
  assert.is(state.compactRevision, 2)
  state.apply({ type: 'header', version: 1, seq: 2, firstRevision: 4 })
  assert.is(state.head, 3, 'a header changes nothing')
})

test('restore: a snapshot’s versions become the state, leases attached to the live ones', () => {
  const { state: from } = fixture()
  from.apply({ type: 'lease-grant', id: 4, ttl: 30 })
  from.apply(txn(1, { a: '1' }, 4))
  from.apply(txn(2, { a: '2' }))
  from.apply(txn(3, { c: '1' }, 4))
  // every retained version, oldest first (as a snapshot holds them)
  const versions = [from.index.at('a', 1)!, from.index.at('a', 2)!, from.index.at('c', 3)!]
  const { state } = fixture()
  state.apply({ type: 'lease-grant', id: 4, ttl: 30 })
  state.restore(versions)
  state.head = 3
  assert.equal(latest(state, 'a'), ['2', 1, 2, 2, 0])
  assert.is(text(state.index.at('a', 1)!.value), '1', 'older versions are restored too')
  assert.equal(latest(state, 'c'), ['1', 3, 3, 1, 4])
  assert.equal(state.lessor.keys(4), ['c'], 'a left the lease at 2; c is still on it')
  state.apply(txn(4, { d: '1' }))
  assert.is(state.head, 4, 'writes go on from the restored head')
})

test('replayScanned gives what apply() gives, values read from their place in the file', () => {
  // a "file" holding the values: "v-a" at 10, "v-b" at 20
  const file = new Uint8Array(32)
  file.set(bytes('v-a'), 10)
  file.set(bytes('v-b'), 20)
  const source: ValueSource = {
    name: 'seg-0001.log',
    read: (offset, length) => file.slice(offset, offset + length),
  }
  const run = (replay: (s: StoreState) => void) => {
    const { state } = fixture()
    state.apply({ type: 'lease-grant', id: 2, ttl: 30 })
    state.apply(txn(1, { a: 'old', gone: 'x' }, 2))
    replay(state)
    return {
      head: state.head,
      a: latest(state, 'a'),
      b: latest(state, 'b'),
      gone: latest(state, 'gone'),
      leaseKeys: state.lessor.keys(2),
    }
  }
  const scanned = run((s) =>
    s.replayScanned(
      {
        revision: 2,
        count: 3,
        keys: ['a', 'b', 'gone'],
        at: [6, 16, -1],
        len: [3, 3, 0],
        lease: [0, 2, 0],
      },
      source,
      4,
      'seg-0001.log',
    ),
  )
  const applied = run((s) =>
    s.apply(
      {
        type: 'txn',
        revision: 2,
        ops: [
          { key: 'a', value: bytes('v-a') },
          { key: 'b', value: bytes('v-b'), lease: 2 },
          { key: 'gone' },
        ],
      },
      'seg-0001.log',
    ),
  )
  assert.equal(scanned, applied)
  assert.equal(scanned, {
    head: 2,
    a: ['v-a', 1, 2, 2, 0],
    b: ['v-b', 2, 2, 1, 2],
    gone: undefined,
    leaseKeys: ['b'],
  })
})

test('replayScanned skips a revision the snapshot holds and refuses a gap', () => {
  const { state } = fixture()
  state.apply(txn(1, { a: '1' }))
  const source: ValueSource = { name: 's', read: () => bytes('zz') }
  const scan = (revision: number) => ({
    revision,
    count: 1,
    keys: ['a'],
    at: [0],
    len: [2],
    lease: [0],
  })
  state.replayScanned(scan(1), source, 0, 's')
  assert.equal(latest(state, 'a'), ['1', 1, 1, 1, 0])
  assert.ok(
    isShoalError(
      (() => {
        try {
          state.replayScanned(scan(5), source, 0, 's')
        } catch (e) {
          return e
        }
      })(),
      'Corrupt',
    ),
  )
})

test.run()
