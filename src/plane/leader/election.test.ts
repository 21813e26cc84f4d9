import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { resourceByKind, type KubeObject, type Lease } from '../../api/index.ts'
import { createLogger, FakeClock, UnavailableError } from '../../core/index.ts'
import { openLogStore, type Store } from '../store/index.ts'
import { LEADER_KEY, LeaderElection, writeLeaderLease, type LeaseObjects } from './index.ts'

const log = createLogger('test', { level: 'error' })

/** waits (real time) until cond holds: the store's writes are real I/O */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`never: ${what}`)
}

/** lets every pending store write and callback run */
const settle = () => new Promise((r) => setTimeout(r, 50))

async function withStore(fn: (store: Store, clock: FakeClock) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-leader-'))
  const clock = new FakeClock(0)
  const store = await openLogStore({ dir, clock, logger: log, inlineSync: 'always' })
  try {
    await fn(store, clock)
  } finally {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

function candidate(store: Store, identity: string, clock: FakeClock, events: string[]) {
  return new LeaderElection({
    store,
    identity,
    clock,
    log,
    onStartedLeading: () => void events.push(`${identity} leads`),
    onStoppedLeading: (why) => void events.push(`${identity} stops: ${why}`),
  })
}

test('one of two candidates leads; the other follows and takes over when the leader resigns', () =>
  withStore(async (store, clock) => {
    const events: string[] = []
    const a = candidate(store, 'plane-a', clock, events).start()
    await until(() => a.isLeader, 'a leads')
    const b = candidate(store, 'plane-b', clock, events).start()
    await until(() => b.leader === 'plane-a', 'b sees a')
    assert.is(b.isLeader, false)
    assert.is(new TextDecoder().decode((await store.get(LEADER_KEY))!.value), 'plane-a')
    await a.stop()
    await until(() => b.isLeader, 'b leads after a resigned')
    assert.equal(events, ['plane-a leads', 'plane-a stops: resigned', 'plane-b leads'])
    await b.stop()
    assert.is(await store.get(LEADER_KEY), undefined, 'the key goes with the resigned lease')
  }))

test('renewals keep the leader; a leader that cannot renew stops its work before its lease expires and another wins', () =>
  withStore(async (store, clock) => {
    const events: string[] = []
    let down = false
    const unreachable = () => Promise.reject(new UnavailableError('store: unreachable'))
    const flaky: Store = new Proxy(store, {
      get(target, name) {
        if (down && name !== 'watch' && name !== 'close') return unreachable // cut off
        const v = Reflect.get(target, name, target) as unknown
        return typeof v === 'function' ? v.bind(target) : v
      },
    })
    const a = candidate(flaky, 'plane-a', clock, events).start()
    await until(() => a.isLeader, 'a leads')
    const b = candidate(store, 'plane-b', clock, events).start()
    await until(() => b.leader === 'plane-a', 'b follows')
    for (let i = 0; i < 6; i++) {
      clock.advance(5_000) // 30 s of renewals every 5 s: a 15 s lease stays
      await settle()
    }
    assert.ok(a.isLeader, 'renewed, still the leader')
    down = true
    for (let s = 0; s < 9; s++) {
      clock.advance(1_000)
      await settle()
    }
    assert.ok(a.isLeader, 'within the renew deadline (10 s) it still leads')
    clock.advance(1_000)
    await until(() => !a.isLeader, 'a steps down at the renew deadline')
    assert.is(b.isLeader, false, 'nobody else can win while the old lease lives')
    assert.equal(events, ['plane-a leads', 'plane-a stops: lease not renewed for 10000 ms'])
    for (let s = 0; s < 5 && !b.isLeader; s++) {
      clock.advance(1_000)
      await settle()
    }
    await until(() => b.isLeader, 'b wins once the lease expired')
    assert.equal(events.at(-1), 'plane-b leads')
    down = false
    await b.stop()
    await a.stop()
  }))

test('a leader whose key is taken away stops at once and campaigns again', () =>
  withStore(async (store, clock) => {
    const events: string[] = []
    const a = candidate(store, 'plane-a', clock, events).start()
    await until(() => a.isLeader, 'a leads')
    const held = (await store.get(LEADER_KEY))!
    await store.leaseRevoke(held.lease)
    await until(() => events.length >= 3, 'stopped and led again')
    assert.equal(events, ['plane-a leads', 'plane-a stops: election key lost', 'plane-a leads'])
    await a.stop()
  }))

test('a restarted candidate (same identity, new lease) takes its leadership back at once', () =>
  withStore(async (store, clock) => {
    const events: string[] = []
    const a = candidate(store, 'plane-a', clock, events).start()
    await until(() => a.isLeader, 'a leads')
    const old = (await store.get(LEADER_KEY))!
    const b = candidate(store, 'plane-b', clock, events).start()
    await until(() => b.leader === 'plane-a', 'b follows')
    // a dies without resigning (kill -9): its lease lives on; it comes back as the same identity
    const again = candidate(store, 'plane-a', clock, events).start()
    await until(() => again.isLeader, 'the restarted a leads before its old lease expired')
    const now = (await store.get(LEADER_KEY))!
    assert.is.not(now.lease, old.lease)
    assert.is(now.createRevision, old.createRevision, 'the same term: b saw no vacancy')
    assert.is(b.isLeader, false)
    await store.leaseRevoke(old.lease) // the old lease runs out: the key is no longer on it
    await settle()
    assert.ok(again.isLeader)
    await a.stop() // the first a, left running here (a dead process in life)
    await again.stop()
    await until(() => b.isLeader, 'b leads once a resigned')
    await b.stop()
  }))

test('timings that cannot fence are refused, naming them', () =>
  withStore(async (store) => {
    const o = { store, identity: 'x', log, onStartedLeading() {}, onStoppedLeading() {} }
    assert.throws(
      () => new LeaderElection({ ...o, ttlSeconds: 15, renewMs: 10_000, renewDeadlineMs: 8_000 }),
      /renew interval < renew deadline < lease TTL, got 10000 ms, 8000 ms, 15 s/,
    )
    assert.throws(() => new LeaderElection({ ...o, ttlSeconds: 5, renewDeadlineMs: 6_000 }), /5 s/)
  }))

test('the Lease object names the holder; a new holder counts a transition', async () => {
  const saved = new Map<string, KubeObject>()
  let rv = 0
  const objects: LeaseObjects = {
    get: async (_i, w) => saved.get(`${w.namespace}/${w.name}`),
    create: async (_i, obj) => {
      const o = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++rv) } }
      saved.set(`${o.metadata.namespace}/${o.metadata.name}`, o)
      return o
    },
    replace: async (i, _cur, next) => objects.create(i, next),
  }
  const clock = new FakeClock(0)
  await writeLeaderLease(objects, { identity: 'plane-a', ttlSeconds: 15, clock })
  clock.advance(5_000)
  await writeLeaderLease(objects, { identity: 'plane-a', ttlSeconds: 15, clock })
  let lease = saved.get('kube-system/shoal-controller-manager') as Lease
  assert.equal(lease.spec, {
    holderIdentity: 'plane-a',
    leaseDurationSeconds: 15,
    renewTime: '1970-01-01T00:00:05.000000Z',
    acquireTime: '1970-01-01T00:00:00.000000Z',
    leaseTransitions: 0,
  })
  await writeLeaderLease(objects, { identity: 'plane-b', ttlSeconds: 15, clock })
  lease = saved.get('kube-system/shoal-controller-manager') as Lease
  assert.is(lease.spec?.holderIdentity, 'plane-b')
  assert.is(lease.spec?.leaseTransitions, 1)
  assert.ok(resourceByKind('Lease', 'coordination.k8s.io'))
})

test.run()
