import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  resourceByKind,
  type ControllerRevision,
  type DaemonSet,
  type Node,
  type Pod,
  type Taint,
} from '../../api/index.ts'
import { fixture, PODS, readyPod, T0 } from './controller-fixture.ts'
import { daemonSetController } from './daemonset.ts'
import { DAEMON_TOLERATIONS, REVISION_HASH } from './daemon-rules.ts'

const DSS = resourceByKind('DaemonSet', 'apps')!
const NODES = resourceByKind('Node')!
const REVISIONS = resourceByKind('ControllerRevision', 'apps')!
const KEY = 'default/sensor'

const node = (name: string, o: { labels?: object; taints?: Taint[]; cordoned?: boolean } = {}) =>
  ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { taints: o.taints, unschedulable: o.cordoned },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  }) satisfies Node

function daemonSet(o: Partial<DaemonSet['spec']> = {}, image = 'sensor:1'): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: {
      name: 'sensor',
      namespace: 'default',
      uid: 'uid-sensor',
      generation: 1,
      annotations: { 'deprecated.daemonset.template.generation': '1' },
    },
    spec: {
      selector: { matchLabels: { app: 'sensor' } },
      template: {
        metadata: { labels: { app: 'sensor' } },
        spec: { containers: [{ name: 'sensor', image }], restartPolicy: 'Always' },
      },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: 10,
      ...o,
    },
  }
}

async function started(ds: DaemonSet, nodes: Node[]) {
  const f = fixture()
  f.fake.seed(DSS, ds)
  f.fake.seed(NODES, ...nodes)
  const c = daemonSetController(f.ctx)
  await f.ctx.informers.start()
  const pods = () => f.fake.all(PODS) as Pod[]
  const nodeOf = (p: Pod) =>
    p.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
      ?.nodeSelectorTerms[0].matchFields?.[0].values?.[0]
  const placed = () => pods().map(nodeOf).sort()
  /** writes without the random pod names: "create Pod default/sensor-*" */
  const writes = () => f.writes().map((w) => w.replace(/sensor-[a-z0-9]{5}$/, 'sensor-*'))
  const ds_ = () => f.fake.get(DSS, KEY) as DaemonSet
  /** the agents' part: every pod bound to its node, Running and Ready */
  const ready = () => {
    for (const p of pods())
      if (!p.spec.nodeName)
        f.fake.seed(PODS, readyPod({ ...p, spec: { ...p.spec, nodeName: nodeOf(p) } }))
  }
  return { ...f, c, pods, placed, nodeOf, writes, ds: ds_, ready }
}

const three = () => [node('pi-1'), node('pi-2'), node('pi-3')]

test('3 nodes → 3 pods, each pinned to its node, owned, labelled, with the daemon tolerations; a revision; status', async () => {
  const f = await started(daemonSet(), three())
  await f.c.reconcile(KEY)
  const hash = (f.fake.all(REVISIONS)[0] as ControllerRevision).metadata.labels![REVISION_HASH]
  assert.equal(f.writes(), [
    `create ControllerRevision default/sensor-${hash}`,
    'create Pod default/sensor-*',
    'create Pod default/sensor-*',
    'create Pod default/sensor-*',
    'update DaemonSet default/sensor',
  ])
  assert.equal(f.placed(), ['pi-1', 'pi-2', 'pi-3'])
  const pod = f.pods()[0]
  assert.is(pod.metadata.generateName, 'sensor-')
  assert.equal(pod.metadata.labels, {
    app: 'sensor',
    'pod-template-generation': '1',
    'controller-revision-hash': hash,
  })
  assert.equal(pod.metadata.ownerReferences, [
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      name: 'sensor',
      uid: 'uid-sensor',
      controller: true,
      blockOwnerDeletion: true,
    },
  ])
  assert.equal(pod.spec.tolerations, DAEMON_TOLERATIONS)
  assert.is(pod.spec.nodeName, undefined, 'the scheduler binds it')
  const cr = f.fake.all(REVISIONS)[0] as ControllerRevision
  assert.is(cr.revision, 1)
  assert.equal(cr.data, { spec: { template: { ...daemonSet().spec.template, $patch: 'replace' } } })
  assert.equal(f.ds().status, {
    desiredNumberScheduled: 3,
    currentNumberScheduled: 3,
    numberMisscheduled: 0,
    numberReady: 0,
    updatedNumberScheduled: 3,
    numberAvailable: 0,
    numberUnavailable: 3,
    observedGeneration: 1,
  })
  assert.equal(f.events(), ['SuccessfulCreate', 'SuccessfulCreate', 'SuccessfulCreate'])
  f.ready()
  await f.c.reconcile(KEY)
  assert.equal(f.writes(), ['update DaemonSet default/sensor'])
  assert.is(f.ds().status?.numberAvailable, 3)
  await f.c.reconcile(KEY)
  assert.equal(f.writes(), [], 'in sync: nothing written')
})

test('nodeSelector: only the matching nodes; a node relabelled away loses its pod', async () => {
  const nodes = [
    node('pi-1', { labels: { sensor: 'yes' } }),
    node('pi-2'),
    node('pi-3', { labels: { sensor: 'yes' } }),
  ]
  const ds = daemonSet()
  ds.spec.template.spec.nodeSelector = { sensor: 'yes' }
  const f = await started(ds, nodes)
  await f.c.reconcile(KEY)
  assert.equal(f.placed(), ['pi-1', 'pi-3'])
  assert.is(f.ds().status?.desiredNumberScheduled, 2)
  f.writes()
  f.fake.seed(NODES, node('pi-3'))
  await f.c.reconcile(KEY)
  assert.equal(f.writes(), ['delete Pod default/sensor-*', 'update DaemonSet default/sensor'])
  assert.equal(f.placed(), ['pi-1'])
})

test('a NoSchedule taint keeps the pod off unless tolerated; a cordoned node still gets one', async () => {
  const taint: Taint = { key: 'dedicated', value: 'gateway', effect: 'NoSchedule' }
  const nodes = [node('pi-1', { taints: [taint] }), node('pi-2', { cordoned: true })]
  const f = await started(daemonSet(), nodes)
  await f.c.reconcile(KEY)
  assert.equal(f.placed(), ['pi-2'])
  f.writes()
  const ds = f.ds()
  ds.spec.template.spec.tolerations = [{ key: 'dedicated', operator: 'Exists' }]
  f.fake.seed(DSS, ds)
  await f.c.reconcile(KEY)
  assert.equal(f.placed(), ['pi-1', 'pi-2'])
  const p1 = f.pods().find((p) => f.nodeOf(p) === 'pi-1')!
  assert.equal(p1.spec.tolerations?.[0], { key: 'dedicated', operator: 'Exists' })
  assert.is(p1.spec.tolerations?.length, DAEMON_TOLERATIONS.length + 1)
})

test('a node that joins gets its pod; a node that is gone loses it', async () => {
  const f = await started(daemonSet(), [node('pi-1')])
  await f.c.reconcile(KEY)
  f.writes()
  f.fake.seed(NODES, node('pi-2'))
  await f.c.reconcile(KEY)
  assert.equal(f.writes(), ['create Pod default/sensor-*', 'update DaemonSet default/sensor'])
  assert.equal(f.placed(), ['pi-1', 'pi-2'])
  f.fake.delete(NODES, 'pi-1')
  await f.c.reconcile(KEY)
  assert.equal(f.writes(), ['delete Pod default/sensor-*', 'update DaemonSet default/sensor'])
  assert.equal(f.placed(), ['pi-2'])
})

test('an extra pod on a node goes (the oldest stays); a failed pod is deleted with back-off and made again', async () => {
  const f = await started(daemonSet(), [node('pi-1')])
  await f.c.reconcile(KEY)
  const [first] = f.pods()
  f.fake.seed(PODS, {
    ...first,
    metadata: {
      ...first.metadata,
      name: 'sensor-extra-pod',
      uid: undefined,
      creationTimestamp: '2026-01-01T00:01:00Z',
    },
  })
  f.writes()
  await f.c.reconcile(KEY)
  assert.equal(f.writes(), ['delete Pod default/sensor-extra-pod'])
  f.fake.seed(PODS, { ...f.pods()[0], status: { phase: 'Failed' } })
  await f.c.reconcile(KEY)
  assert.equal(f.writes(), ['delete Pod default/sensor-*', 'update DaemonSet default/sensor'])
  assert.ok(f.events().includes('FailedDaemonPod'))
  await f.c.reconcile(KEY)
  assert.equal(f.writes(), ['create Pod default/sensor-*', 'update DaemonSet default/sensor'])
  f.fake.seed(PODS, { ...f.pods()[0], status: { phase: 'Failed' } })
  const r = await f.c.reconcile(KEY)
  assert.equal(r, { requeueAfter: 1000 }, 'failed again within a second: backed off')
  assert.equal(
    f.writes().filter((w) => w.startsWith('delete')),
    [],
  )
  f.clock.advance(1000)
  await f.c.reconcile(KEY)
  assert.equal(f.writes()[0], 'delete Pod default/sensor-*')
})

async function rolledOut(o: Partial<DaemonSet['spec']> = {}) {
  const f = await started(daemonSet(o), three())
  await f.c.reconcile(KEY)
  f.ready()
  await f.c.reconcile(KEY)
  f.writes()
  const next = daemonSet(o, 'sensor:2')
  const cur = f.ds()
  next.metadata = {
    ...cur.metadata,
    generation: 2,
    annotations: { 'deprecated.daemonset.template.generation': '2' },
  }
  next.status = cur.status
  f.fake.seed(DSS, next)
  return f
}

const images = (f: { pods(): Pod[]; nodeOf(p: Pod): string | undefined }) =>
  f
    .pods()
    .map((p) => `${f.nodeOf(p)}=${p.spec.containers[0].image}`)
    .sort()

test('RollingUpdate maxUnavailable 1: one node at a time, the next only once the new pod is ready', async () => {
  const f = await rolledOut()
  await f.c.reconcile(KEY)
  const hash2 = (f.fake.all(REVISIONS) as ControllerRevision[]).find((r) => r.revision === 2)!
    .metadata.name
  assert.equal(f.writes(), [
    `create ControllerRevision default/${hash2}`,
    'delete Pod default/sensor-*',
    'update DaemonSet default/sensor',
  ])
  assert.equal(images(f), ['pi-2=sensor:1', 'pi-3=sensor:1'])
  await f.c.reconcile(KEY)
  assert.equal(f.writes(), ['create Pod default/sensor-*', 'update DaemonSet default/sensor'])
  assert.equal(images(f), ['pi-1=sensor:2', 'pi-2=sensor:1', 'pi-3=sensor:1'])
  const pod = f.pods().find((p) => f.nodeOf(p) === 'pi-1')!
  assert.is(pod.metadata.labels?.['pod-template-generation'], '2')
  await f.c.reconcile(KEY)
  assert.equal(f.writes(), [], 'the new pod is not ready: no other node is touched')
  f.ready()
  await f.c.reconcile(KEY)
  assert.equal(f.writes().slice(0, 1), ['delete Pod default/sensor-*'])
  assert.equal(images(f), ['pi-1=sensor:2', 'pi-3=sensor:1'])
  for (let i = 0; i < 4; i++) {
    await f.c.reconcile(KEY)
    f.ready()
  }
  await f.c.reconcile(KEY)
  assert.equal(images(f), ['pi-1=sensor:2', 'pi-2=sensor:2', 'pi-3=sensor:2'])
  const s = f.ds().status!
  assert.equal([s.updatedNumberScheduled, s.numberAvailable, s.observedGeneration], [3, 3, 2])
  const revisions = (f.fake.all(REVISIONS) as ControllerRevision[]).map((r) => r.revision).sort()
  assert.equal(revisions, [1, 2])
})

test('RollingUpdate maxSurge 1: a new pod beside the old one, the old one deleted once the new is available', async () => {
  const f = await rolledOut({
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
  })
  await f.c.reconcile(KEY)
  assert.equal(f.writes().slice(1), [
    'create Pod default/sensor-*',
    'update DaemonSet default/sensor',
  ])
  assert.equal(images(f), ['pi-1=sensor:1', 'pi-1=sensor:2', 'pi-2=sensor:1', 'pi-3=sensor:1'])
  f.ready()
  await f.c.reconcile(KEY)
  assert.equal(f.writes()[0], 'delete Pod default/sensor-*')
  assert.equal(images(f), ['pi-1=sensor:2', 'pi-2=sensor:1', 'pi-3=sensor:1'])
})

test('OnDelete: a new template changes nothing until a pod is deleted, which comes back new', async () => {
  const f = await rolledOut({ updateStrategy: { type: 'OnDelete' } })
  await f.c.reconcile(KEY)
  assert.equal(f.writes().slice(1), ['update DaemonSet default/sensor'])
  assert.is(f.ds().status?.updatedNumberScheduled, 0)
  const victim = f.pods().find((p) => f.nodeOf(p) === 'pi-2')!
  f.fake.delete(PODS, `default/${victim.metadata.name}`)
  await f.c.reconcile(KEY)
  assert.equal(f.writes(), ['create Pod default/sensor-*', 'update DaemonSet default/sensor'])
  assert.equal(images(f), ['pi-1=sensor:1', 'pi-2=sensor:2', 'pi-3=sensor:1'])
  assert.is(f.ds().status?.updatedNumberScheduled, 1)
})

test('minReadySeconds: available only after it, a later look asked for', async () => {
  const f = await started(daemonSet({ minReadySeconds: 10 }), [node('pi-1')])
  await f.c.reconcile(KEY)
  for (const p of f.pods())
    f.fake.seed(
      PODS,
      readyPod({ ...p, spec: { ...p.spec, nodeName: 'pi-1' } }, new Date(T0).toISOString()),
    )
  const r = await f.c.reconcile(KEY)
  assert.equal(r, { requeueAfter: 10_000 })
  assert.equal([f.ds().status?.numberReady, f.ds().status?.numberAvailable], [1, 0])
  f.clock.advance(10_000)
  await f.c.reconcile(KEY)
  assert.is(f.ds().status?.numberAvailable, 1)
})

test.run()
