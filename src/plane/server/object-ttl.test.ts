// Events expire --event-ttl after their last write; writes within a minute share one store lease.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FakeClock, memoryLogger } from '../../core/index.ts'
import { resourceByKind, storeKey, type KubeObject } from '../../api/index.ts'
import { openLogStore } from '../store/index.ts'
import { ObjectStore } from './object-store.ts'
import { eventTtl } from './object-ttl.ts'

const EVENTS = resourceByKind('Event')!
const CONFIGMAPS = resourceByKind('ConfigMap')!
const TTL = 600

const event = (name: string): KubeObject =>
  ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' },
    reason: 'Started',
    message: 'm',
    type: 'Normal',
  }) as KubeObject

async function fixture() {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-ttl-'))
  const clock = new FakeClock()
  const store = await openLogStore({ dir, logger: memoryLogger(), clock })
  const objects = new ObjectStore(store, { clock, ttl: eventTtl(TTL) })
  const leaseOf = async (name: string) =>
    (await store.get(storeKey(EVENTS, { namespace: 'default', name })))?.lease
  return {
    clock,
    store,
    objects,
    leaseOf,
    /** lets the store's expiry (a write through its log) finish */
    settle: () => new Promise((r) => setTimeout(r, 50)),
    close: async () => {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

test('an Event is deleted TTL (+ up to a minute) after its last write; a ConfigMap stays', async () => {
  const f = await fixture()
  try {
    await f.objects.create(EVENTS, event('e1'))
    const cm = await f.objects.create(CONFIGMAPS, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'default' },
    } as KubeObject)
    const lease = await f.leaseOf('e1')
    assert.ok(lease && lease > 0, 'the Event is attached to a lease')
    const cmKv = await f.store.get(storeKey(CONFIGMAPS, { namespace: 'default', name: 'c' }))
    assert.is(cmKv?.lease, 0, 'a ConfigMap is not')

    f.clock.advance((TTL - 1) * 1000)
    await f.settle()
    assert.ok(await f.objects.get(EVENTS, { namespace: 'default', name: 'e1' }), 'alive before')
    f.clock.advance(62 * 1000)
    await f.settle()
    assert.is(await f.objects.get(EVENTS, { namespace: 'default', name: 'e1' }), undefined)
    assert.ok(await f.objects.get(CONFIGMAPS, { namespace: 'default', name: cm.metadata.name! }))
  } finally {
    await f.close()
  }
})

test('writes within a minute share a lease; a later update moves the Event to a new one', async () => {
  const f = await fixture()
  try {
    const a = await f.objects.create(EVENTS, event('a'))
    f.clock.advance(30_000)
    await f.objects.create(EVENTS, event('b'))
    assert.is(await f.leaseOf('a'), await f.leaseOf('b'), 'one lease for both')
    const first = (await f.leaseOf('a'))!

    f.clock.advance(40_000) // 70 s: past the reuse window
    await f.objects.replace(EVENTS, a, { ...a, count: 2 } as KubeObject)
    const second = (await f.leaseOf('a'))!
    assert.is.not(second, first, 'the update takes a fresh lease')

    // the first lease runs out (TTL + 60 s from its grant): b goes, the updated a stays
    f.clock.advance((TTL + 60) * 1000 - 70_000 + 1000)
    await f.settle()
    assert.is(await f.objects.get(EVENTS, { namespace: 'default', name: 'b' }), undefined)
    assert.ok(await f.objects.get(EVENTS, { namespace: 'default', name: 'a' }))
  } finally {
    await f.close()
  }
})

test('a dry-run create grants no lease and writes nothing', async () => {
  const f = await fixture()
  try {
    const before = (await f.store.range({ from: '', to: '\uffff' })).revision
    await f.objects.dryRun().create(EVENTS, event('dry'))
    assert.is((await f.store.range({ from: '', to: '\uffff' })).revision, before)
    assert.is(await f.leaseOf('dry'), undefined)
  } finally {
    await f.close()
  }
})

test.run()
