import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { resourceByKind, type Namespace } from '../../api/index.ts'
import { DEPLOYS, deployment, fixture, PODS, replicaSet, RSS } from './controller-fixture.ts'
import { namespaceController } from './namespace.ts'

const NAMESPACES = resourceByKind('Namespace')!
const CMS = resourceByKind('ConfigMap')!

const namespace = (name: string, o: { deleting?: boolean; phase?: string } = {}) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: {
    name,
    uid: `uid-${name}`,
    ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
  spec: { finalizers: ['kubernetes'] },
  status: { phase: o.phase ?? (o.deleting ? 'Terminating' : 'Active') },
})

const inTeam = <T extends { metadata: object }>(obj: T): T => ({
  ...obj,
  metadata: { ...obj.metadata, namespace: 'team' },
})

async function started(ns: object) {
  const f = fixture()
  f.fake.seed(NAMESPACES, ns)
  f.fake.seed(DEPLOYS, inTeam(deployment('web', 1)))
  f.fake.seed(RSS, inTeam(replicaSet('web-abc', 1)))
  f.fake.seed(PODS, inTeam({ metadata: { name: 'p1' }, spec: { containers: [] } }))
  f.fake.seed(CMS, inTeam({ metadata: { name: 'held', finalizers: ['example.com/hold'] } }))
  f.fake.seed(CMS, { metadata: { name: 'elsewhere', namespace: 'default' } })
  const c = namespaceController(f.ctx)
  await f.ctx.informers.start()
  const writes = () =>
    f.fake
      .take()
      .map(
        (w) =>
          `${w.verb} ${w.kind} ${w.key}${w.propagationPolicy ? ` (${w.propagationPolicy})` : ''}`,
      )
  const conditions = () =>
    ((f.fake.get(NAMESPACES, 'team') as Namespace).status?.conditions ?? []).map(
      (c) => `${c.type} ${c.status} ${c.reason}: ${c.message}`,
    )
  return { ...f, c, writes, conditions }
}

test('empties a terminating namespace, owners first; says what waits for finalizers; then finalizes it', async () => {
  const f = await started(namespace('team', { deleting: true }))
  assert.equal(await f.c.reconcile('team'), { requeueAfter: 7500 })
  assert.equal(f.writes(), [
    'delete Deployment team/web (Background)',
    'delete ReplicaSet team/web-abc (Background)',
    'delete ConfigMap team/held (Background)',
    'delete Pod team/p1 (Background)',
    'update Namespace team',
  ])
  assert.equal(f.conditions(), [
    'NamespaceDeletionDiscoveryFailure False ResourcesDiscovered: All resources successfully discovered',
    'NamespaceDeletionGroupVersionParsingFailure False ParsedGroupVersions: All legacy kube types successfully parsed',
    'NamespaceDeletionContentFailure False ContentDeleted: All content successfully deleted, may be waiting on finalization',
    'NamespaceContentRemaining True SomeResourcesRemain: Some resources are remaining: configmaps. has 1 resource instances',
    'NamespaceFinalizersRemaining True SomeFinalizerRemain: Some finalizers are remaining: example.com/hold in 1 resource instances',
  ])
  assert.ok(f.fake.get(CMS, 'team/held')!.metadata.deletionTimestamp, 'marked, held')
  // nothing new: a second pass writes nothing
  assert.equal(await f.c.reconcile('team'), { requeueAfter: 7500 })
  assert.equal(f.writes(), [])
  // the finalizer goes; its deletion brings the namespace back to the queue
  const held = f.fake.get(CMS, 'team/held')!
  await f.fake.replace(CMS, held, { ...held, metadata: { ...held.metadata, finalizers: [] } })
  f.fake.take()
  assert.equal(await f.c.queue.get(), 'team')
  assert.equal(await f.c.reconcile('team'), undefined)
  assert.equal(f.writes(), ['update Namespace team', 'update Namespace team'])
  assert.is(f.fake.get(NAMESPACES, 'team'), undefined, 'finalized: gone')
  assert.ok(f.fake.get(CMS, 'default/elsewhere'), 'other namespaces untouched')
})

test('the conditions turn False again once the content is gone', async () => {
  const f = await started(namespace('team', { deleting: true }))
  await f.c.reconcile('team')
  const held = f.fake.get(CMS, 'team/held')!
  f.fake.delete(CMS, 'team/held')
  f.fake.seed(NAMESPACES, {
    ...f.fake.get(NAMESPACES, 'team'),
    spec: { finalizers: ['kubernetes', 'example.com/other'] },
  })
  f.fake.take()
  await f.c.reconcile('team')
  assert.equal(f.writes(), ['update Namespace team', 'update Namespace team'])
  const ns = f.fake.get(NAMESPACES, 'team') as Namespace
  assert.equal(ns.spec?.finalizers, ['example.com/other'], 'only its own finalizer removed')
  assert.ok(
    ns.status?.conditions?.every((c) => c.status === 'False'),
    JSON.stringify(ns.status?.conditions),
  )
  assert.ok(held)
})

test('sets phase Terminating when the API did not; leaves namespaces not being deleted alone', async () => {
  const f = await started(namespace('team', { deleting: true, phase: 'Active' }))
  await f.c.reconcile('team')
  const w = f.writes()
  assert.is(w[0], 'update Namespace team')
  assert.is((f.fake.get(NAMESPACES, 'team') as Namespace).status?.phase, 'Terminating')
  const live = await started(namespace('team'))
  assert.is(live.c.queue.length, 0)
  assert.equal(await live.c.reconcile('team'), undefined)
  assert.equal(live.writes(), [])
  assert.ok(live.fake.get(PODS, 'team/p1'))
})

test.run()
