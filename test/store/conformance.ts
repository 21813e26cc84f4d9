// The store contract as tests. Run unchanged against every Store implementation (the CBOR log
// now; the etcd backend in its issue), the way Hono runs one suite against all its routers.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { Store, WatchBatch, WatchEvent } from '../../src/plane/store/index.ts'

const enc = (s: string) => new TextEncoder().encode(s)
const dec = (b: Uint8Array) => new TextDecoder().decode(b)

export interface Harness {
  open(): Promise<Store>
  /** closes the store and removes its data */
  destroy(store: Store): Promise<void>
}

/** Collects watch batches; `until(n)` resolves when n events have arrived. */
export function collect() {
  const batches: WatchBatch[] = []
  const events: WatchEvent[] = []
  let waiters: { n: number; resolve: () => void }[] = []
  const onEvents = (b: WatchBatch) => {
    batches.push(b)
    events.push(...b.events)
    waiters = waiters.filter((w) => (events.length >= w.n ? (w.resolve(), false) : true))
  }
  const until = (n: number, ms = 5000) =>
    new Promise<void>((resolve, reject) => {
      if (events.length >= n) return resolve()
      const t = setTimeout(
        () => reject(new Error(`only ${events.length} of ${n} watch events arrived`)),
        ms,
      )
      waiters.push({ n, resolve: () => (clearTimeout(t), resolve()) })
    })
  return { batches, events, onEvents, until }
}

export function storeConformance(name: string, h: Harness): void {
  const t = suite<{ store: Store }>(`store conformance: ${name}`, {} as { store: Store })
  t.before.each(async (ctx) => {
    ctx.store = await h.open()
  })
  t.after.each(async (ctx) => {
    await h.destroy(ctx.store)
  })

  t('put and get keep createRevision, modRevision and version as etcd', async ({ store }) => {
    const r0 = store.revision
    const p1 = await store.put('/a', enc('1'))
    assert.is(p1.revision, r0 + 1)
    const p2 = await store.put('/a', enc('2'), { prevKv: true })
    assert.is(dec(p2.prevKv!.value), '1')
    const kv = await store.get('/a')
    assert.is(dec(kv!.value), '2')
    assert.equal([kv!.createRevision, kv!.modRevision, kv!.version], [p1.revision, p2.revision, 2])
    const d = await store.delete({ key: '/a' })
    assert.is(d.deleted, 1)
    assert.is(await store.get('/a'), undefined)
    const p3 = await store.put('/a', enc('3'))
    const again = await store.get('/a')
    assert.equal([again!.createRevision, again!.version], [p3.revision, 1])
    assert.is(store.revision, p3.revision)
  })

  t('deleting nothing does not bump the revision', async ({ store }) => {
    await store.put('/x', enc('1'))
    const rev = store.revision
    const d = await store.delete({ key: '/nope' })
    assert.equal([d.deleted, d.revision, store.revision], [0, rev, rev])
  })

  t('range by prefix and [from, to), with limit, count, keysOnly, countOnly', async ({ store }) => {
    for (const k of ['/p/a', '/p/b', '/p/c', '/pz', '/q/a']) await store.put(k, enc(k))
    const all = await store.range({ prefix: '/p/' })
    assert.equal(
      all.kvs.map((k) => k.key),
      ['/p/a', '/p/b', '/p/c'],
    )
    assert.equal([all.count, all.more], [3, false])
    const lim = await store.range({ prefix: '/p/' }, { limit: 2 })
    assert.equal([lim.kvs.length, lim.count, lim.more], [2, 3, true])
    const span = await store.range({ from: '/p/b', to: '/q' })
    assert.equal(
      span.kvs.map((k) => k.key),
      ['/p/b', '/p/c', '/pz'],
    )
    const ko = await store.range({ prefix: '/p/' }, { keysOnly: true })
    assert.is(ko.kvs[0].value.length, 0)
    const co = await store.range({ prefix: '/p/' }, { countOnly: true })
    assert.equal([co.kvs.length, co.count], [0, 3])
    assert.is(all.revision, store.revision)
  })

  t('range at a past revision sees the keys as they were', async ({ store }) => {
    const a = await store.put('/h/a', enc('v1'))
    await store.put('/h/a', enc('v2'))
    await store.put('/h/b', enc('b'))
    await store.delete({ key: '/h/a' })
    const past = await store.range({ prefix: '/h/' }, { revision: a.revision })
    assert.equal(
      past.kvs.map((k) => [k.key, dec(k.value)]),
      [['/h/a', 'v1']],
    )
    assert.is((await store.get('/h/a', { revision: a.revision + 1 }))?.version, 2)
    const now = await store.range({ prefix: '/h/' })
    assert.equal(
      now.kvs.map((k) => k.key),
      ['/h/b'],
    )
  })

  t(
    'compaction makes older revisions fail with Compacted carrying the compact revision',
    async ({ store }) => {
      const a = await store.put('/c/a', enc('1'))
      const b = await store.put('/c/a', enc('2'))
      await store.put('/c/a', enc('3'))
      await store.compact(b.revision)
      assert.is(store.compactRevision, b.revision)
      const at = await store.get('/c/a', { revision: b.revision })
      assert.is(dec(at!.value), '2')
      try {
        await store.get('/c/a', { revision: a.revision })
        assert.unreachable('read below the compact revision')
      } catch (err) {
        assert.is((err as { code?: string }).code, 'Compacted')
        assert.is((err as { compactRevision?: number }).compactRevision, b.revision)
        assert.match(String(err), /compacted/)
      }
      assert.throws(
        () => store.watch({ prefix: '/c/' }, { startRevision: a.revision }, { onEvents() {} }),
        /compacted/,
      )
    },
  )

  t(
    'txn: compares on value, version, createRevision and modRevision; one revision for all writes',
    async ({ store }) => {
      const p = await store.put('/t/a', enc('old'))
      const ok = await store.txn({
        compare: [
          { key: '/t/a', target: 'value', result: 'equal', value: enc('old') },
          { key: '/t/a', target: 'version', result: 'equal', value: 1 },
          { key: '/t/a', target: 'modRevision', result: 'equal', value: p.revision },
          { key: '/t/new', target: 'createRevision', result: 'equal', value: 0 },
        ],
        success: [
          { type: 'put', key: '/t/a', value: enc('new') },
          { type: 'put', key: '/t/new', value: enc('n') },
          { type: 'range', select: { prefix: '/t/' } },
        ],
        failure: [{ type: 'put', key: '/t/failed', value: enc('x') }],
      })
      assert.ok(ok.succeeded)
      assert.is(ok.revision, p.revision + 1)
      const a = await store.get('/t/a')
      const n = await store.get('/t/new')
      assert.equal([a!.modRevision, n!.modRevision], [ok.revision, ok.revision])
      const stale = await store.txn({
        compare: [{ key: '/t/a', target: 'modRevision', result: 'equal', value: p.revision }],
        success: [{ type: 'put', key: '/t/a', value: enc('lost update') }],
        failure: [{ type: 'range', select: { key: '/t/a' } }],
      })
      assert.not.ok(stale.succeeded)
      assert.is(stale.revision, ok.revision)
      const got = stale.results[0] as { kvs: { value: Uint8Array }[] }
      assert.is(dec(got.kvs[0].value), 'new')
      assert.is(await store.get('/t/failed'), undefined)
    },
  )

  t(
    'txn compares greater/less/notEqual, and a value compare on a missing key is false',
    async ({ store }) => {
      await store.put('/g', enc('1'))
      const r = await store.txn({
        compare: [
          { key: '/g', target: 'version', result: 'greater', value: 0 },
          { key: '/g', target: 'version', result: 'less', value: 2 },
          { key: '/g', target: 'value', result: 'notEqual', value: enc('2') },
        ],
        success: [],
      })
      assert.ok(r.succeeded)
      const missing = await store.txn({
        compare: [{ key: '/none', target: 'value', result: 'notEqual', value: enc('x') }],
        success: [],
      })
      assert.not.ok(missing.succeeded)
    },
  )

  t('delete by prefix returns the count and previous values', async ({ store }) => {
    for (const k of ['/d/1', '/d/2', '/d/3', '/e']) await store.put(k, enc(k))
    const d = await store.delete({ prefix: '/d/' }, { prevKv: true })
    assert.is(d.deleted, 3)
    assert.equal(
      d.prevKvs.map((k) => dec(k.value)),
      ['/d/1', '/d/2', '/d/3'],
    )
    assert.equal(
      (await store.range({ prefix: '/' })).kvs.map((k) => k.key),
      ['/e'],
    )
  })

  t('watch delivers live puts and deletes in order, with prevKv', async ({ store }) => {
    const c = collect()
    const w = store.watch({ prefix: '/w/' }, { prevKv: true }, { onEvents: c.onEvents })
    await store.put('/w/a', enc('1'))
    await store.put('/other', enc('x'))
    await store.put('/w/a', enc('2'))
    await store.delete({ key: '/w/a' })
    await c.until(3)
    w.cancel()
    assert.equal(
      c.events.map((e) => e.type),
      ['put', 'put', 'delete'],
    )
    assert.is(dec(c.events[1].prevKv!.value), '1')
    assert.is(dec(c.events[2].prevKv!.value), '2')
    assert.is(c.events[2].kv.version, 0)
    const revs = c.events.map((e) => e.kv.modRevision)
    assert.equal(
      revs,
      [...revs].sort((a, b) => a - b),
    )
  })

  t(
    'watch from an old revision replays history, then goes live, with no gap and no duplicate',
    async ({ store }) => {
      const first = await store.put('/r/0', enc('0'))
      for (let i = 1; i < 20; i++) await store.put(`/r/${i % 3}`, enc(String(i)))
      const c = collect()
      const w = store.watch(
        { prefix: '/r/' },
        { startRevision: first.revision },
        { onEvents: c.onEvents },
      )
      const writes = []
      for (let i = 20; i < 40; i++) writes.push(store.put(`/r/${i % 3}`, enc(String(i))))
      await Promise.all(writes)
      await c.until(40)
      w.cancel()
      const revs = c.events.map((e) => e.kv.modRevision)
      assert.is(revs.length, 40)
      for (let i = 1; i < revs.length; i++) assert.is(revs[i], revs[i - 1] + 1)
      assert.is(revs[0], first.revision)
    },
  )

  t('a txn revision is never split across watch deliveries', async ({ store }) => {
    const c = collect()
    const w = store.watch({ prefix: '/s/' }, {}, { onEvents: c.onEvents })
    const ops = Array.from({ length: 5 }, (_, i) => ({
      type: 'put' as const,
      key: `/s/${i}`,
      value: enc('v'),
    }))
    const r = await store.txn({ compare: [], success: ops })
    await c.until(5)
    w.cancel()
    const batch = c.batches.find((b) => b.events.some((e) => e.kv.modRevision === r.revision))!
    assert.is(batch.events.filter((e) => e.kv.modRevision === r.revision).length, 5)
  })

  t(
    'leases: keys follow their lease; revoke deletes them; unknown leases are NotFound',
    async ({ store }) => {
      const l = await store.leaseGrant(60)
      await store.put('/l/a', enc('a'), { lease: l.id })
      await store.put('/l/b', enc('b'), { lease: l.id })
      await store.put('/l/c', enc('c'))
      const ttl = await store.leaseTimeToLive(l.id)
      assert.equal(ttl.keys, ['/l/a', '/l/b'])
      assert.ok(ttl.remaining > 0 && ttl.remaining <= 60)
      assert.is((await store.get('/l/a'))!.lease, l.id)
      await store.leaseKeepAlive(l.id)
      await store.leaseRevoke(l.id)
      assert.equal(
        (await store.range({ prefix: '/l/' })).kvs.map((k) => k.key),
        ['/l/c'],
      )
      for (const call of [
        () => store.leaseKeepAlive(l.id),
        () => store.leaseRevoke(l.id),
        () => store.put('/l/d', enc('d'), { lease: l.id }),
      ]) {
        try {
          await call()
          assert.unreachable('unknown lease accepted')
        } catch (err) {
          assert.is((err as { code?: string }).code, 'NotFound', String(err))
        }
      }
    },
  )

  t('reading a future revision is an error', async ({ store }) => {
    await store.put('/f', enc('1'))
    try {
      await store.get('/f', { revision: store.revision + 100 })
      assert.unreachable('future revision served')
    } catch (err) {
      assert.match(String(err), /future revision/)
    }
  })

  t.run()
}
