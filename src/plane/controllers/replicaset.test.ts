import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Pod, ReplicaSet } from '../../api/index.ts'
import { fixture, PODS, readyPod, replicaSet, RSS, T0 } from './controller-fixture.ts'
import { replicaSetController } from './replicaset.ts'

async function started(rs: ReplicaSet, pods: Pod[] = []) {
  const f = fixture()
  f.fake.seed(RSS, rs)
  f.fake.seed(PODS, ...pods)
  const c = replicaSetController(f.ctx)
  await f.ctx.informers.start()
  return { ...f, c }
}

const podsOf = (f: { fake: { all(i: typeof PODS): unknown[] } }) => f.fake.all(PODS) as Pod[]

test('creates the missing pods from the template, owned by the ReplicaSet, then its status', async () => {
  const f = await started(replicaSet('web-abc', 3))
  await f.c.reconcile('default/web-abc')
  const w = f.writes()
  assert.equal(
    w.slice(0, 3).map((s) => s.replace(/-[a-z0-9]{5}$/, '-*')),
    [
      'create Pod default/web-abc-*',
      'create Pod default/web-abc-*',
      'create Pod default/web-abc-*',
    ],
  )
  assert.equal(w.slice(3), ['update ReplicaSet default/web-abc'])
  const pod = podsOf(f)[0]
  assert.match(pod.metadata.name!, /^web-abc-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
  assert.is(pod.metadata.generateName, 'web-abc-')
  assert.equal(pod.metadata.labels, { app: 'web' })
  assert.equal(pod.metadata.ownerReferences, [
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: 'web-abc',
      uid: 'uid-web-abc',
      controller: true,
      blockOwnerDeletion: true,
    },
  ])
  assert.is(pod.status?.phase, 'Pending')
  const rs = f.fake.get(RSS, 'default/web-abc') as ReplicaSet
  assert.equal(rs.status, {
    replicas: 3,
    fullyLabeledReplicas: 3,
    readyReplicas: 0,
    availableReplicas: 0,
    observedGeneration: 1,
  })
  assert.equal(f.events(), ['SuccessfulCreate', 'SuccessfulCreate', 'SuccessfulCreate'])
  // in sync: a second reconcile writes nothing
  await f.c.reconcile('default/web-abc')
  assert.equal(f.writes(), [])
})

const pod = (name: string, o: Partial<Pod> = {}, owned = true): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'default',
    labels: { app: 'web' },
    creationTimestamp: '2026-01-01T00:00:00Z',
    ...(owned
      ? {
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: 'web',
              uid: 'uid-web',
              controller: true,
            },
          ],
        }
      : {}),
  },
  spec: { containers: [{ name: 'web', image: 'hello:1' }] },
  status: { phase: 'Pending' },
  ...o,
})

test('adopts a matching orphan, releases an owned pod that stopped matching, creates the rest', async () => {
  const orphan = pod('orphan', {}, false)
  const strayed = pod('strayed')
  strayed.metadata.labels = { app: 'other' }
  const f = await started(replicaSet('web', 2), [orphan, strayed])
  await f.c.reconcile('default/web')
  const w = f.writes()
  assert.equal(w.slice(0, 2).sort(), ['update Pod default/orphan', 'update Pod default/strayed'])
  assert.match(w[2], /^create Pod default\/web-[a-z0-9]{5}$/)
  assert.equal(w.slice(3), ['update ReplicaSet default/web'])
  const adopted = f.fake.get(PODS, 'default/orphan') as Pod
  assert.is(adopted.metadata.ownerReferences?.[0].uid, 'uid-web')
  assert.equal((f.fake.get(PODS, 'default/strayed') as Pod).metadata.ownerReferences, [])
})

test('scale down deletes unscheduled, then pending, then not ready, then the newest ready', async () => {
  const pods = [
    readyPod(pod('ready-long'), '2026-01-01T00:00:00Z'),
    readyPod(pod('ready-recent'), '2026-01-01T00:05:00Z'),
    pod('unscheduled'),
    pod('pending', { spec: { containers: [], nodeName: 'pi-1' } }),
    pod('not-ready', {
      spec: { containers: [], nodeName: 'pi-1' },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] },
    }),
  ]
  const f = await started(replicaSet('web', 4), pods)
  await f.c.reconcile('default/web')
  assert.equal(f.writes(), ['delete Pod default/unscheduled', 'update ReplicaSet default/web'])
  const rs = f.fake.get(RSS, 'default/web')!
  f.fake.seed(RSS, { ...rs, spec: { ...(rs as ReplicaSet).spec, replicas: 1 } } as ReplicaSet)
  await f.c.reconcile('default/web')
  assert.equal(f.writes().slice(0, 3).sort(), [
    'delete Pod default/not-ready',
    'delete Pod default/pending',
    'delete Pod default/ready-recent',
  ])
  assert.equal(
    podsOf(f).map((p) => p.metadata.name),
    ['ready-long'],
  )
  assert.equal(f.events().filter((e) => e === 'SuccessfulDelete').length, 4)
})

test('available only once ready for minReadySeconds: a later look is asked for', async () => {
  const pods = [readyPod(pod('a'), new Date(T0).toISOString()), pod('b')]
  const f = await started(replicaSet('web', 2, { minReadySeconds: 10 }), pods)
  const r = await f.c.reconcile('default/web')
  assert.equal(r, { requeueAfter: 10_000 })
  let rs = f.fake.get(RSS, 'default/web') as ReplicaSet
  assert.is(rs.status?.readyReplicas, 1)
  assert.is(rs.status?.availableReplicas, 0)
  f.clock.advance(10_000)
  assert.is(await f.c.reconcile('default/web'), undefined)
  rs = f.fake.get(RSS, 'default/web') as ReplicaSet
  assert.is(rs.status?.availableReplicas, 1)
})

test('finished pods do not count: a Failed pod is replaced', async () => {
  const f = await started(replicaSet('web', 1), [pod('dead', { status: { phase: 'Failed' } })])
  await f.c.reconcile('default/web')
  const w = f.writes()
  assert.match(w[0], /^create Pod default\/web-/)
  assert.is(w.length, 2)
})

test.run()
