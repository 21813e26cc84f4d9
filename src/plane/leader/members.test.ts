import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createLogger, FakeClock } from '../../core/index.ts'
import { openLogStore, type Store } from '../store/index.ts'
import { ownerOf, PlaneMembers, PLANES_PREFIX } from './index.ts'

const log = createLogger('test', { level: 'error' })
const nodes = Array.from({ length: 3000 }, (_, i) => `pi-${i}`)
const share = (planes: string[]) => {
  const m = new Map<string, string>()
  for (const n of nodes) m.set(n, ownerOf(n, planes)!)
  return m
}

test('ownership: every node has one owner, the shares are even, the order of the list does not matter', () => {
  const planes = ['plane-a', 'plane-b', 'plane-c']
  const owners = share(planes)
  const counts = new Map<string, number>()
  for (const o of owners.values()) counts.set(o, (counts.get(o) ?? 0) + 1)
  assert.equal([...counts.keys()].sort(), planes)
  for (const [p, c] of counts) assert.ok(c > 800 && c < 1200, `${p} serves ${c} of 3000`)
  assert.equal(share(['plane-c', 'plane-a', 'plane-b']), owners)
  assert.is(ownerOf('pi-1', []), undefined)
  assert.is(ownerOf('pi-1', ['only']), 'only')
})

test('ownership: a plane that leaves moves only its own nodes; one that joins takes only nodes that now rank it first', () => {
  const three = share(['plane-a', 'plane-b', 'plane-c'])
  const two = share(['plane-a', 'plane-c'])
  let moved = 0
  for (const n of nodes) {
    if (three.get(n) === 'plane-b') {
      assert.ok(two.get(n) !== 'plane-b')
      moved++
    } else assert.is(two.get(n), three.get(n), `${n} moved though its plane stayed`)
  }
  assert.ok(moved > 800 && moved < 1200, `${moved}`)
  // and back: plane-b joins again, it takes the same nodes back and no other node moves
  for (const n of nodes) if (two.get(n) !== three.get(n)) assert.is(three.get(n), 'plane-b')
  const four = share(['plane-a', 'plane-b', 'plane-c', 'plane-d'])
  for (const n of nodes)
    if (four.get(n) !== three.get(n)) assert.is(four.get(n), 'plane-d', `${n} moved elsewhere`)
})

async function withStore(fn: (store: Store, clock: FakeClock) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-members-'))
  const clock = new FakeClock(0)
  const store = await openLogStore({ dir, clock, logger: log, inlineSync: 'always' })
  try {
    await fn(store, clock)
  } finally {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`never: ${what}`)
}

const member = (store: Store, clock: FakeClock, identity: string, changes: string[] = []) =>
  PlaneMembers.start({
    store,
    identity,
    mqttUser: `user-${identity}`,
    ttlSeconds: 3,
    clock,
    log,
    changed: () => changes.push(identity),
  })

test('members: planes see each other join and stop; each node is owned by exactly one live plane', async () => {
  await withStore(async (store, clock) => {
    const a = await member(store, clock, 'plane-a')
    assert.equal(a.live, ['plane-a'])
    assert.ok(nodes.slice(0, 50).every((n) => a.owns(n)))
    const changes: string[] = []
    const b = await member(store, clock, 'plane-b', changes)
    await until(() => a.live.length === 2, 'a sees b')
    assert.equal(b.live, ['plane-a', 'plane-b'])
    for (const n of nodes.slice(0, 200)) assert.ok(a.owns(n) !== b.owns(n), n)
    assert.ok(nodes.slice(0, 200).some((n) => b.owns(n)))
    await b.stop() // revoked: gone at once
    await until(() => a.live.length === 1, 'a sees b leave')
    assert.ok(nodes.slice(0, 200).every((n) => a.owns(n)))
    assert.equal((await store.range({ prefix: PLANES_PREFIX })).count, 1)
    await a.stop()
  })
})

test('members: a plane that stops renewing (killed) expires; until then it fences itself', async () => {
  await withStore(async (store, clock) => {
    const a = await member(store, clock, 'plane-a')
    const b = await member(store, clock, 'plane-b')
    await until(() => a.live.length === 2, 'a sees b')
    const ofB = nodes.slice(0, 200).filter((n) => b.owns(n))
    // b's store link "dies": its keep-alives fail from now on
    const keepAlive = store.leaseKeepAlive.bind(store)
    let cut = false
    store.leaseKeepAlive = (id) =>
      cut && id === bLease ? Promise.reject(new Error('cut')) : keepAlive(id)
    const bLease = (await store.range({ prefix: PLANES_PREFIX })).kvs.find((kv) =>
      kv.key.endsWith('plane-b'),
    )!.lease
    cut = true
    for (let i = 0; i < 5 && a.live.length === 2; i++) {
      clock.advance(1000)
      await new Promise((r) => setTimeout(r, 30))
    }
    assert.ok(
      ofB.every((n) => !b.owns(n)),
      'b serves nothing once its keep-alive is late',
    )
    await until(() => a.live.length === 1, 'b expires')
    assert.ok(ofB.every((n) => a.owns(n)))
    cut = false
    store.leaseKeepAlive = keepAlive
    await b.stop()
    await a.stop()
  })
})

test('members: a second plane logging in to the broker with the same username is refused', async () => {
  await withStore(async (store, clock) => {
    const a = await member(store, clock, 'plane-a')
    const err = await PlaneMembers.start({
      ...{ store, identity: 'plane-b', mqttUser: 'user-plane-a', clock, log },
    }).then(
      () => undefined,
      (e: Error) => e,
    )
    assert.match(
      String(err),
      /plane plane-a already logs in to the broker as user-plane-a; each plane needs a username of its own/,
    )
    assert.equal(a.live, ['plane-a'])
    await until(() => a.live.length === 1, 'b gone')
    await a.stop()
  })
})

test.run()
