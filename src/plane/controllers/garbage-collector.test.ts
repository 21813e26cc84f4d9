import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { resourceByKind, type KubeObject, type OwnerReference } from '../../api/index.ts'
import { DEPLOYS, deployment, fixture, PODS, replicaSet, RSS } from './controller-fixture.ts'
import { garbageCollector } from './garbage-collector.ts'
import type { Controller } from './kit/index.ts'

const CMS = resourceByKind('ConfigMap')!
const DELETING = '2026-01-01T00:00:00Z'

const ref = (kind: string, name: string, o: Partial<OwnerReference> = {}): OwnerReference => ({
  apiVersion: kind === 'ConfigMap' ? 'v1' : 'apps/v1',
  kind,
  name,
  uid: `uid-${name}`,
  controller: true,
  blockOwnerDeletion: true,
  ...o,
})

const owned = <T extends KubeObject>(obj: T, ...owners: OwnerReference[]): T => ({
  ...obj,
  metadata: { ...obj.metadata, ownerReferences: owners },
})

const pod = (name: string, ...owners: OwnerReference[]) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, ownerReferences: owners },
  spec: { containers: [{ name: 'web', image: 'hello:1' }] },
})

const marked = <T extends KubeObject>(obj: T, finalizer: string): T => ({
  ...obj,
  metadata: { ...obj.metadata, deletionTimestamp: DELETING, finalizers: [finalizer] },
})

async function started(seed: (f: ReturnType<typeof fixture>) => void) {
  const f = fixture()
  seed(f)
  const c = garbageCollector(f.ctx)
  await f.ctx.informers.start()
  /** the writes, as "verb Kind key (policy)" */
  const writes = () =>
    f.fake
      .take()
      .map(
        (w) =>
          `${w.verb} ${w.kind} ${w.key}${w.propagationPolicy ? ` (${w.propagationPolicy})` : ''}`,
      )
  return { ...f, c, writes, settle: () => settle(c) }
}

/** reconciles what is queued, and what that queues, until nothing is left */
async function settle(c: Controller): Promise<void> {
  for (let i = 0; c.queue.length && i < 100; i++) {
    const key = (await c.queue.get())!
    await c.reconcile(key)
    c.queue.done(key)
  }
  assert.is(c.queue.length, 0, 'settled')
}

test('background: what a deleted owner owned goes, then what that owned (also after a crash)', async () => {
  const f = await started(({ fake }) => {
    fake.seed(RSS, owned(replicaSet('web-abc', 2), ref('Deployment', 'web')))
    fake.seed(
      PODS,
      pod('p1', ref('ReplicaSet', 'web-abc')),
      pod('p2', ref('ReplicaSet', 'web-abc')),
    )
    fake.seed(RSS, replicaSet('solo', 1))
    fake.seed(PODS, pod('kept', ref('ReplicaSet', 'solo')), pod('mine'))
  })
  await f.settle()
  assert.equal(f.writes(), [
    'delete ReplicaSet default/web-abc (Background)',
    'delete Pod default/p1 (Background)',
    'delete Pod default/p2 (Background)',
  ])
  assert.equal(
    f.fake.all(PODS).map((p) => p.metadata.name),
    ['kept', 'mine'],
  )
})

test('foreground: blocking dependents first, in the foreground when they own others; then each finalizer', async () => {
  const f = await started(({ fake }) => {
    fake.seed(DEPLOYS, marked(deployment('web', 2), 'foregroundDeletion'))
    fake.seed(RSS, owned(replicaSet('web-abc', 2), ref('Deployment', 'web')))
    fake.seed(
      PODS,
      pod('p1', ref('ReplicaSet', 'web-abc')),
      pod('p2', ref('ReplicaSet', 'web-abc')),
    )
    const loose = ref('Deployment', 'web', { controller: false, blockOwnerDeletion: false })
    fake.seed(CMS, { metadata: { name: 'notes', namespace: 'default', ownerReferences: [loose] } })
  })
  await f.settle()
  assert.equal(f.writes(), [
    'delete ConfigMap default/notes (Background)',
    'delete ReplicaSet default/web-abc (Foreground)',
    'delete Pod default/p1 (Background)',
    'delete Pod default/p2 (Background)',
    'update ReplicaSet default/web-abc',
    'update Deployment default/web',
  ])
  for (const info of [DEPLOYS, RSS, PODS, CMS]) assert.equal(f.fake.all(info), [], info.kind)
})

test('foreground: the owner waits while a blocking dependent is still there', async () => {
  const held = { ...pod('p1', ref('ReplicaSet', 'web-abc')) }
  const f = await started(({ fake }) => {
    fake.seed(RSS, marked(replicaSet('web-abc', 1), 'foregroundDeletion'))
    fake.seed(PODS, marked(held, 'example.com/hold'))
  })
  await f.settle()
  assert.equal(f.writes(), [], 'the pod is being deleted already: nothing to do but wait')
  const p = f.fake.get(PODS, 'default/p1')!
  await f.fake.replace(PODS, p, { ...p, metadata: { ...p.metadata, finalizers: [] } })
  f.fake.take()
  await f.settle()
  assert.equal(f.writes(), ['update ReplicaSet default/web-abc'])
  assert.is(f.fake.get(RSS, 'default/web-abc'), undefined)
})

test('orphan: the owner reference comes off each dependent, then the finalizer off the owner', async () => {
  const f = await started(({ fake }) => {
    fake.seed(DEPLOYS, marked(deployment('web', 2), 'orphan'))
    fake.seed(RSS, owned(replicaSet('web-abc', 2), ref('Deployment', 'web')))
    fake.seed(PODS, pod('p1', ref('ReplicaSet', 'web-abc')))
  })
  await f.settle()
  assert.equal(f.writes(), ['update ReplicaSet default/web-abc', 'update Deployment default/web'])
  assert.is(f.fake.get(DEPLOYS, 'default/web'), undefined)
  assert.is(f.fake.get(RSS, 'default/web-abc')!.metadata.ownerReferences, undefined)
  assert.ok(f.fake.get(PODS, 'default/p1'), 'what the ReplicaSet owns is untouched')
})

test('an owner recreated under the same name (another uid) is not the owner: the dependent goes', async () => {
  const f = await started(({ fake }) => {
    fake.seed(DEPLOYS, {
      ...deployment('web', 1),
      metadata: { ...deployment('web', 1).metadata, uid: 'uid-new' },
    })
    fake.seed(RSS, owned(replicaSet('web-old', 1), ref('Deployment', 'web')))
    fake.seed(RSS, owned(replicaSet('web-new', 1), ref('Deployment', 'web', { uid: 'uid-new' })))
  })
  await f.settle()
  assert.equal(f.writes(), ['delete ReplicaSet default/web-old (Background)'])
  assert.ok(f.fake.get(RSS, 'default/web-new'))
})

test('two owners, one gone: only the reference to the gone one is dropped', async () => {
  const f = await started(({ fake }) => {
    fake.seed(RSS, replicaSet('a', 1))
    fake.seed(PODS, pod('p', ref('ReplicaSet', 'a'), ref('ReplicaSet', 'b', { controller: false })))
  })
  await f.settle()
  assert.equal(f.writes(), ['update Pod default/p'])
  assert.equal(
    f.fake.get(PODS, 'default/p')!.metadata.ownerReferences!.map((r) => r.name),
    ['a'],
  )
  await f.settle()
  assert.equal(f.writes(), [], 'in sync')
})

test('a dependent recreated meanwhile is never deleted in its place; nor one whose owner is back', async () => {
  const f = await started(({ fake }) => {
    fake.seed(RSS, owned(replicaSet('web-abc', 1), ref('Deployment', 'web')))
  })
  // before the collector's turn, the ReplicaSet is replaced by a new one of that name
  // whose owner exists
  f.fake.seed(DEPLOYS, deployment('web', 1))
  const stale = f.fake.get(RSS, 'default/web-abc')!
  f.fake.delete(RSS, 'default/web-abc')
  f.fake.seed(RSS, { ...stale, metadata: { ...stale.metadata, uid: 'uid-again' } })
  const rs = f.fake.get(RSS, 'default/web-abc')!
  assert.is(rs.metadata.uid, 'uid-again')
  f.c.enqueue('uid-web-abc')
  await f.settle()
  assert.equal(f.writes(), [])
  assert.ok(f.fake.get(RSS, 'default/web-abc'))
})

test.run()
