import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { resourceByKind, type Lease, type Node, type Pod } from '../../api/index.ts'
import { fixture, PODS, T0 } from './controller-fixture.ts'
import { nodeLifecycleController } from './node-lifecycle.ts'

const NODES = resourceByKind('Node')!
const LEASES = resourceByKind('Lease', 'coordination.k8s.io')!
const at = (ms: number) => new Date(T0 + ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

const node = (name: string, ready = 'True'): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  spec: {},
  status: {
    conditions: [
      {
        type: 'Ready',
        status: ready as 'True',
        lastHeartbeatTime: at(0),
        lastTransitionTime: at(0),
      },
      { type: 'DiskPressure', status: 'False', lastHeartbeatTime: at(0) },
    ],
  },
})

const lease = (name: string, renewedMs: number): Lease => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name, namespace: 'kube-node-lease' },
  spec: {
    holderIdentity: name,
    leaseDurationSeconds: 40,
    renewTime: new Date(T0 + renewedMs).toISOString().replace('Z', '000Z'),
  },
})

const pod = (name: string, nodeName: string, spec: Partial<Pod['spec']> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { nodeName, containers: [{ name: 'web', image: 'hello:1' }], ...spec },
  status: { phase: 'Running' },
})

async function setup(o = {}) {
  const f = fixture()
  const c = nodeLifecycleController(f.ctx, { nodeLifecycle: o })
  return { ...f, c }
}

test('a Lease not renewed for the grace period: Ready Unknown and the unreachable taint, once', async () => {
  const f = await setup()
  f.fake.seed(NODES, node('pi-1'))
  f.fake.seed(LEASES, lease('pi-1', 0))
  await f.ctx.informers.start()
  assert.equal(await f.c.reconcile('pi-1'), { requeueAfter: 5001 }, 'looked at again when due')
  assert.equal(f.writes(), [])
  f.clock.advance(5001)
  await f.c.reconcile('pi-1')
  assert.equal(f.writes(), ['update Node pi-1'])
  const n = f.fake.get(NODES, 'pi-1') as Node
  assert.equal(n.status?.conditions, [
    {
      type: 'Ready',
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
      lastHeartbeatTime: at(0),
      lastTransitionTime: at(5001),
    },
    {
      type: 'DiskPressure',
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
      lastHeartbeatTime: at(0),
      lastTransitionTime: at(5001),
    },
  ])
  assert.equal(n.spec?.taints, [
    { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: at(5001) },
  ])
  await f.c.reconcile('pi-1')
  assert.equal(f.writes(), [], 'nothing more to write')
})

test('Ready Unknown set by the transport (Last Will): tainted at once; Ready False: not-ready', async () => {
  const f = await setup()
  f.fake.seed(NODES, node('pi-1', 'Unknown'), node('pi-2', 'False'), node('pi-3'))
  f.fake.seed(LEASES, lease('pi-1', 0))
  await f.ctx.informers.start()
  for (const n of ['pi-1', 'pi-2', 'pi-3']) await f.c.reconcile(n)
  assert.equal(f.writes(), ['update Node pi-1', 'update Node pi-2'])
  const taints = (n: string) => (f.fake.get(NODES, n) as Node).spec?.taints
  assert.equal(taints('pi-1'), [
    { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: at(0) },
  ])
  assert.equal(taints('pi-2'), [
    { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: at(0) },
  ])
  const cond = (f.fake.get(NODES, 'pi-1') as Node).status!.conditions![0]
  assert.is(cond.reason, undefined, 'the transport wrote it: left as it is')
})

test("pods evicted after tolerationSeconds: the default, a pod's own, forever; DaemonSet pods stay", async () => {
  const f = await setup({ defaultTolerationSeconds: 5 })
  const unreachable = { key: 'node.kubernetes.io/unreachable', operator: 'Exists' as const }
  f.fake.seed(NODES, node('pi-1', 'Unknown'), node('pi-2'))
  f.fake.seed(
    PODS,
    pod('plain', 'pi-1'),
    pod('patient', 'pi-1', {
      tolerations: [{ ...unreachable, effect: 'NoExecute', tolerationSeconds: 30 }],
    }),
    pod('hasty', 'pi-1', { tolerations: [{ ...unreachable, tolerationSeconds: 0 }] }),
    pod('forever', 'pi-1', { tolerations: [{ ...unreachable, effect: 'NoExecute' }] }),
    {
      ...pod('daemon', 'pi-1'),
      metadata: {
        name: 'daemon',
        namespace: 'default',
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'd', uid: 'u', controller: true },
        ],
      },
    },
    pod('elsewhere', 'pi-2'),
  )
  await f.ctx.informers.start()
  assert.equal(await f.c.reconcile('pi-1'), { requeueAfter: 5000 })
  assert.equal(f.writes(), ['update Node pi-1', 'delete Pod default/hasty'])
  f.clock.advance(5000)
  assert.equal(await f.c.reconcile('pi-1'), { requeueAfter: 25_000 })
  assert.equal(f.writes(), ['delete Pod default/plain'])
  f.clock.advance(25_000)
  assert.equal(await f.c.reconcile('pi-1'), undefined)
  assert.equal(f.writes(), ['delete Pod default/patient'])
  assert.equal(
    f.fake
      .all(PODS)
      .map((p) => p.metadata.name)
      .sort(),
    ['daemon', 'elsewhere', 'forever'],
  )
  const events = f.fake.all(resourceByKind('Event')!) as unknown as {
    reason: string
    message: string
  }[]
  assert.equal(events.map((e) => `${e.reason}: ${e.message}`).sort(), [
    'TaintManagerEviction: Marking for deletion Pod default/hasty',
    'TaintManagerEviction: Marking for deletion Pod default/patient',
    'TaintManagerEviction: Marking for deletion Pod default/plain',
  ])
})

test('the node back (Lease renewed, Ready True): taints removed, the pods left stay', async () => {
  const f = await setup()
  f.fake.seed(NODES, node('pi-1'))
  f.fake.seed(LEASES, lease('pi-1', 0))
  f.fake.seed(PODS, pod('forever', 'pi-1', { tolerations: [{ operator: 'Exists' }] }))
  await f.ctx.informers.start()
  f.clock.advance(6000)
  await f.c.reconcile('pi-1')
  assert.equal(f.writes(), ['update Node pi-1'])
  f.fake.seed(LEASES, lease('pi-1', 7000))
  f.clock.advance(1000)
  const cur = f.fake.get(NODES, 'pi-1') as Node
  const back = node('pi-1')
  back.status!.conditions![0].lastHeartbeatTime = at(7000)
  f.fake.seed(NODES, { ...back, spec: cur.spec } as Node)
  assert.equal(await f.c.reconcile('pi-1'), { requeueAfter: 5001 })
  assert.equal(f.writes(), ['update Node pi-1'])
  assert.equal((f.fake.get(NODES, 'pi-1') as Node).spec?.taints, [])
  assert.is(f.fake.all(PODS).length, 1)
})

test('a node without a Lease (registered by hand) is judged by its Ready condition alone', async () => {
  const f = await setup()
  f.fake.seed(NODES, node('hand'))
  f.fake.seed(PODS, pod('web', 'hand'))
  await f.ctx.informers.start()
  f.clock.advance(3_600_000)
  assert.equal(await f.c.reconcile('hand'), undefined)
  assert.equal(f.writes(), [])
})

/** a node and its Lease last heard 10 minutes before this plane started */
const heardBefore = (name: string) => {
  const n = node(name)
  for (const c of n.status!.conditions!) c.lastHeartbeatTime = at(-600_000)
  return n
}

test('a node last heard before the controller started (the plane was down): judged from the start, with the restart grace', async () => {
  const f = await setup()
  f.fake.seed(NODES, heardBefore('pi-1'))
  f.fake.seed(LEASES, lease('pi-1', -600_000))
  await f.ctx.informers.start()
  assert.equal(await f.c.reconcile('pi-1'), { requeueAfter: 35_001 }, 'restart grace + grace')
  f.clock.advance(35_000)
  await f.c.reconcile('pi-1')
  assert.equal(f.writes(), [], 'not yet: its agent may still be in its reconnect back-off')
  f.clock.advance(1)
  await f.c.reconcile('pi-1')
  assert.equal(f.writes(), ['update Node pi-1'], 'silent since the start: Unknown, tainted')
  assert.is((f.fake.get(NODES, 'pi-1') as Node).status?.conditions?.[0].status, 'Unknown')

  const g = await setup({ restartGraceMs: 0 })
  g.fake.seed(NODES, heardBefore('pi-2'))
  g.fake.seed(LEASES, lease('pi-2', -600_000))
  await g.ctx.informers.start()
  assert.equal(await g.c.reconcile('pi-2'), { requeueAfter: 5001 }, 'no restart grace: the grace')
  assert.equal(g.writes(), [])
})

test('a configured grace period', async () => {
  const f = await setup({ gracePeriodMs: 20_000 })
  f.fake.seed(NODES, node('pi-1'))
  f.fake.seed(LEASES, lease('pi-1', 0))
  await f.ctx.informers.start()
  f.clock.advance(19_000)
  assert.equal(await f.c.reconcile('pi-1'), { requeueAfter: 1001 })
  assert.equal(f.writes(), [])
})

test.run()
