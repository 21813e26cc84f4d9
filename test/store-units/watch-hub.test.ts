// WatchHub on its own (src/plane/store/watch-hub.ts): a KeyIndex the test writes into, and a
// committed (durable) revision and compact revision the test moves by hand.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isShoalError } from '../../src/core/index.ts'
import { KeyIndex, type KeyRange } from '../../src/plane/store/mvcc/index.ts'
import { WatchHub } from '../../src/plane/store/watch-hub.ts'
import type { WatchBatch } from '../../src/plane/store/types.ts'

const bytes = (s: string) => new TextEncoder().encode(s)
const text = (b: Uint8Array) => new TextDecoder().decode(b)
const all: KeyRange = { from: '' }

/** deliveries run on microtasks and, between batches, on setImmediate */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
}

function fixture() {
  const index = new KeyIndex()
  const src = { committed: 0, compact: 0 }
  const hub = new WatchHub({
    index,
    committed: () => src.committed,
    compactRevision: () => src.compact,
  })
  let rev = 0
  /** one revision: puts (key=value) and deletes (key=null), then committed and notified */
  const commit = (writes: Record<string, string | null>, o: { durable?: boolean } = {}) => {
    rev++
    for (const [k, v] of Object.entries(writes))
      if (v === null) index.delete(k, rev)
      else index.put(k, rev, bytes(v), 0)
    if (o.durable !== false) {
      src.committed = rev
      hub.notify()
    }
    return rev
  }
  return { index, src, hub, commit }
}

/** a watcher's deliveries, and its events flattened to "type key@rev=value" */
function recorder() {
  const batches: WatchBatch[] = []
  const cancels: Error[] = []
  return {
    batches,
    cancels,
    handlers: {
      onEvents: (b: WatchBatch) => batches.push(b),
      onCancel: (e: Error) => cancels.push(e),
    },
    events: () =>
      batches.flatMap((b) =>
        b.events.map(
          (e) =>
            `${e.type} ${e.kv.key}@${e.kv.modRevision}` +
            (e.type === 'put' ? `=${text(e.kv.value)}` : ''),
        ),
      ),
  }
}

test('history is replayed from the start revision, in order, deletes included', async () => {
  const { hub, commit } = fixture()
  commit({ a: '1' })
  commit({ b: '1' })
  commit({ a: '2' })
  commit({ b: null })
  const r = recorder()
  hub.add(all, 2, false, r.handlers)
  await settle()
  assert.equal(r.events(), ['put b@2=1', 'put a@3=2', 'delete b@4'])
  assert.is(r.batches.at(-1)!.revision, 4, 'a batch carries the store revision it was sent at')
  const a3 = r.batches.flatMap((b) => b.events).find((e) => e.kv.key === 'a')!
  assert.equal([a3.kv.version, a3.kv.createRevision, a3.prevKv], [2, 1, undefined])
})

test('replay then live: one ordered stream with no gap and no duplicate', async () => {
  const { hub, commit } = fixture()
  commit({ k: 'a' })
  commit({ k: 'b' })
  const r = recorder()
  hub.add(all, 1, false, r.handlers)
  commit({ k: 'c' }) // before the replay has run
  await settle()
  commit({ k: 'd' })
  commit({ k: 'e', other: 'x' })
  await settle()
  assert.equal(r.events(), [
    'put k@1=a',
    'put k@2=b',
    'put k@3=c',
    'put k@4=d',
    'put k@5=e',
    'put other@5=x',
  ])
})

test('only committed (durable) revisions are delivered', async () => {
  const { hub, commit, src } = fixture()
  const r = recorder()
  hub.add(all, 1, false, r.handlers)
  commit({ a: '1' })
  commit({ b: '1' }, { durable: false })
  await settle()
  assert.equal(r.events(), ['put a@1=1'])
  src.committed = 2
  hub.notify()
  await settle()
  assert.equal(r.events(), ['put a@1=1', 'put b@2=1'])
})

test('a watcher sees only its key range; a revision with nothing in range delivers nothing', async () => {
  const { hub, commit } = fixture()
  const r = recorder()
  hub.add({ from: 'pods/', to: 'pods0' }, 1, false, r.handlers)
  commit({ 'pods/a': '1', 'nodes/n': '1' })
  commit({ 'nodes/n': '2' })
  commit({ 'pods/b': '1' })
  await settle()
  assert.equal(r.events(), ['put pods/a@1=1', 'put pods/b@3=1'])
  assert.ok(
    r.batches.every((b) => b.events.length > 0),
    'no empty batches',
  )
})

test('prevKv: updates and deletes carry the version they replaced', async () => {
  const { hub, commit } = fixture()
  const r = recorder()
  hub.add(all, 1, true, r.handlers)
  commit({ a: 'old' })
  commit({ a: 'new' })
  commit({ a: null })
  await settle()
  const evs = r.batches.flatMap((b) => b.events)
  assert.is(evs[0].prevKv, undefined, 'a create has no previous version')
  assert.equal([text(evs[1].prevKv!.value), evs[1].prevKv!.modRevision], ['old', 1])
  assert.equal(
    [evs[2].type, text(evs[2].prevKv!.value), evs[2].prevKv!.modRevision],
    ['delete', 'new', 2],
  )
})

test('cancel stops delivery at once, even of events already committed', async () => {
  const { hub, commit } = fixture()
  const r = recorder()
  const w = hub.add(all, 1, false, r.handlers)
  commit({ a: '1' })
  await settle()
  assert.is(hub.size, 1)
  commit({ a: '2' })
  w.cancel() // committed and notified, not yet delivered
  commit({ a: '3' })
  await settle()
  assert.equal(r.events(), ['put a@1=1'])
  assert.equal(r.cancels, [], 'cancel() does not call onCancel')
  assert.is(hub.size, 0)
})

test('a start revision below the compact revision fails with Compacted', () => {
  const { hub, commit, src } = fixture()
  commit({ a: '1' })
  commit({ a: '2' })
  src.compact = 2
  const err = (() => {
    try {
      hub.add(all, 1, false, recorder().handlers)
    } catch (e) {
      return e
    }
  })()
  assert.ok(isShoalError(err, 'Compacted'))
  assert.match((err as Error).message, 'store: required revision 1 has been compacted')
  assert.is(hub.size, 0)
})

test('a watcher that compaction overtakes is cancelled with Compacted', async () => {
  const { hub, commit, src } = fixture()
  commit({ a: '1' })
  const r = recorder()
  hub.add(all, 5, false, r.handlers) // waits for a revision that is not there yet
  commit({ a: '2' })
  src.compact = 7
  hub.notify()
  await settle()
  assert.equal(r.events(), [])
  assert.is(r.cancels.length, 1)
  assert.ok(isShoalError(r.cancels[0], 'Compacted'))
  assert.is(hub.size, 0)
})

test('closeAll ends every watch with Unavailable', async () => {
  const { hub } = fixture()
  const a = recorder()
  const b = recorder()
  hub.add(all, 1, false, a.handlers)
  hub.add({ from: 'x' }, 1, false, b.handlers)
  hub.closeAll()
  await settle()
  assert.is(hub.size, 0)
  for (const r of [a, b]) {
    assert.is(r.cancels.length, 1)
    assert.ok(isShoalError(r.cancels[0], 'Unavailable'))
    assert.is(r.cancels[0].message, 'store: closed')
  }
})

test('large backlogs come in batches of about 1000 events; a revision is never split', async () => {
  const { hub, commit } = fixture()
  for (let i = 0; i < 1500; i++) commit({ [`k${i}`]: 'v' })
  const wide: Record<string, string> = {}
  for (let i = 0; i < 1200; i++) wide[`w${i}`] = 'v'
  const wideRev = commit(wide)
  const r = recorder()
  hub.add(all, 1, false, r.handlers)
  await settle()
  assert.equal(
    r.batches.map((b) => b.events.length),
    [1000, 500 + 1200],
  )
  const revs = r.batches.flatMap((b) => b.events.map((e) => e.kv.modRevision))
  assert.equal(
    revs.slice(0, 1500),
    Array.from({ length: 1500 }, (_, i) => i + 1),
  )
  assert.ok(revs.slice(1500).every((v) => v === wideRev))
})

test.run()
