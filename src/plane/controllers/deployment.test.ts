import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Deployment, Pod, ReplicaSet } from '../../api/index.ts'
import {
  deployment,
  DEPLOYS,
  fixture,
  PODS,
  readyPod,
  RSS,
  template,
} from './controller-fixture.ts'
import { deploymentController } from './deployment.ts'
import { fenceposts } from './deployment-rules.ts'
import { isActive, isReady } from './pod-state.ts'
import { replicaSetController } from './replicaset.ts'

async function started(d: Deployment) {
  const f = fixture()
  f.fake.seed(DEPLOYS, d)
  const dc = deploymentController(f.ctx)
  const rc = replicaSetController(f.ctx)
  await f.ctx.informers.start()
  const sets = () => (f.fake.all(RSS) as ReplicaSet[]).sort((a, b) => revision(a) - revision(b))
  const pods = () => (f.fake.all(PODS) as Pod[]).filter(isActive)
  const deploy = () => f.fake.get(DEPLOYS, 'default/web') as Deployment
  /** one pass: the Deployment, then each ReplicaSet; `check` after every reconcile */
  const pass = async (check = () => {}) => {
    await dc.reconcile('default/web')
    check()
    for (const rs of sets()) {
      await rc.reconcile(`default/${rs.metadata.name}`)
      check()
    }
  }
  /** the agent's part: up to `n` pods not ready yet become Running and Ready */
  const ready = (n = Infinity) => {
    for (const p of pods()
      .filter((p) => !isReady(p))
      .slice(0, n))
      f.fake.seed(PODS, readyPod(p))
  }
  /** passes until nothing is written */
  const settle = async () => {
    for (let i = 0; i < 20; i++) {
      await pass()
      ready()
      if (!f.fake.writes.length) return
      f.fake.take()
    }
    throw new Error('did not settle')
  }
  /** the Deployment changed by a user (generation + 1), as the API server writes it */
  const edit = (change: (d: Deployment) => void) => {
    const d = structuredClone(deploy())
    change(d)
    d.metadata.generation = (d.metadata.generation ?? 1) + 1
    f.fake.seed(DEPLOYS, d)
  }
  return { ...f, dc, rc, sets, pods, deploy, pass, ready, settle, edit }
}

const revision = (rs: ReplicaSet) =>
  Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'])
const images = (pods: Pod[]) => pods.map((p) => p.spec.containers[0].image).sort()
const progressing = (d: Deployment) =>
  d.status?.conditions?.find((c) => c.type === 'Progressing')?.reason

test('a new Deployment: one ReplicaSet <name>-<hash> at revision 1, with its pods, status complete', async () => {
  const f = await started(deployment('web', 3))
  await f.dc.reconcile('default/web')
  const [rs] = f.sets()
  const hash = rs.metadata.labels!['pod-template-hash']
  assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/)
  assert.equal(f.writes(), [
    `create ReplicaSet default/web-${hash}`,
    'update Deployment default/web',
  ])
  assert.is(rs.metadata.name, `web-${hash}`)
  assert.is(rs.spec.replicas, 3)
  assert.equal(rs.spec.selector.matchLabels, { app: 'web', 'pod-template-hash': hash })
  assert.equal(rs.spec.template!.metadata!.labels, { app: 'web', 'pod-template-hash': hash })
  assert.equal(rs.metadata.annotations, {
    'deployment.kubernetes.io/desired-replicas': '3',
    'deployment.kubernetes.io/max-replicas': '4',
    'deployment.kubernetes.io/revision': '1',
  })
  assert.equal(rs.metadata.ownerReferences, [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'web',
      uid: 'uid-web',
      controller: true,
      blockOwnerDeletion: true,
    },
  ])
  assert.is(progressing(f.deploy()), 'NewReplicaSetCreated')
  await f.settle()
  const d = f.deploy()
  assert.is(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '1')
  assert.equal(
    { ...d.status, conditions: undefined },
    {
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      unavailableReplicas: 0,
      conditions: undefined,
    },
  )
  assert.is(progressing(d), 'NewReplicaSetAvailable')
  assert.equal(
    d.status?.conditions?.map((c) => [c.type, c.status, c.reason, c.message]),
    [
      ['Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'],
      [
        'Progressing',
        'True',
        'NewReplicaSetAvailable',
        `ReplicaSet "web-${hash}" has successfully progressed.`,
      ],
    ],
  )
  assert.equal(
    f.pods().map((p) => p.metadata.labels?.['pod-template-hash']),
    [hash, hash, hash],
  )
})

test('maxSurge and maxUnavailable: ints, and percentages rounded as Kubernetes (surge up, unavailable down)', () => {
  const of = (replicas: number, maxSurge: number | string, maxUnavailable: number | string) =>
    fenceposts(
      deployment('web', replicas, {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } },
      }),
    )
  assert.equal(of(10, '25%', '25%'), { surge: 3, unavailable: 2 })
  assert.equal(of(3, '25%', '25%'), { surge: 1, unavailable: 0 })
  assert.equal(of(4, 1, 0), { surge: 1, unavailable: 0 })
  assert.equal(of(1, '0%', '10%'), { surge: 0, unavailable: 1 }, 'never both 0')
})

test('a rolling update, step by step: never below replicas − maxUnavailable ready, never above replicas + maxSurge', async () => {
  const f = await started(
    deployment('web', 4, {
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
    }),
  )
  await f.settle()
  f.edit((d) => (d.spec.template = template('hello:2')))
  let most = 0
  let fewestReady = Infinity
  const check = () => {
    const pods = f.pods()
    most = Math.max(most, pods.length)
    fewestReady = Math.min(fewestReady, pods.filter(isReady).length)
  }
  for (let step = 0; step < 30; step++) {
    await f.pass(check)
    f.ready(1) // one pod at a time becomes ready
    check()
    if (f.fake.take().length === 0) break
  }
  assert.is(most, 5)
  assert.is(fewestReady, 3)
  assert.equal(images(f.pods()), ['hello:2', 'hello:2', 'hello:2', 'hello:2'])
  const [old, cur] = f.sets()
  assert.equal([old.spec.replicas, revision(old)], [0, 1])
  assert.equal([cur.spec.replicas, revision(cur)], [4, 2])
  const d = f.deploy()
  assert.equal(
    [d.status?.observedGeneration, d.status?.updatedReplicas, d.status?.availableReplicas],
    [2, 4, 4],
  )
  assert.is(progressing(d), 'NewReplicaSetAvailable')
  assert.ok(f.events().includes('ScalingReplicaSet'))
})

test('rolling with percentages: 10 replicas, maxSurge 0, maxUnavailable 30% → never under 7 ready, never over 10 pods', async () => {
  const f = await started(
    deployment('web', 10, {
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '30%' } },
    }),
  )
  await f.settle()
  f.edit((d) => (d.spec.template = template('hello:2')))
  let most = 0
  let fewestReady = Infinity
  const check = () => {
    const pods = f.pods()
    most = Math.max(most, pods.length)
    fewestReady = Math.min(fewestReady, pods.filter(isReady).length)
  }
  for (let step = 0; step < 40; step++) {
    await f.pass(check)
    f.ready(2)
    check()
    if (f.fake.take().length === 0) break
  }
  assert.equal([most, fewestReady], [10, 7])
  assert.equal(images(f.pods()), Array(10).fill('hello:2'))
})

test('Recreate: every old pod gone before the first new one is made', async () => {
  const f = await started(deployment('web', 2, { strategy: { type: 'Recreate' } }))
  await f.settle()
  f.fake.take()
  f.edit((d) => (d.spec.template = template('hello:2')))
  await f.dc.reconcile('default/web')
  const [old, cur] = f.sets()
  assert.equal(f.writes(), [
    `create ReplicaSet default/${cur.metadata.name}`,
    `update ReplicaSet default/${old.metadata.name}`,
    'update Deployment default/web',
  ])
  assert.equal([old.spec.replicas, cur.spec.replicas], [0, 0])
  await f.dc.reconcile('default/web')
  assert.equal(f.writes(), [], 'waits while the old pods run')
  await f.rc.reconcile(`default/${old.metadata.name}`)
  assert.equal(f.writes().filter((w) => w.startsWith('delete')).length, 2)
  await f.dc.reconcile('default/web')
  assert.equal(f.writes(), [
    `update ReplicaSet default/${cur.metadata.name}`,
    'update Deployment default/web',
  ])
  await f.settle()
  assert.equal(images(f.pods()), ['hello:2', 'hello:2'])
})

test('rollout undo: the old template makes its ReplicaSet new again, at the next revision', async () => {
  const f = await started(deployment('web', 2))
  await f.settle()
  f.edit((d) => (d.spec.template = template('hello:2')))
  await f.settle()
  const [first, second] = f.sets()
  // what kubectl rollout undo patches in: the old template as a Go client sends it back
  f.edit((d) => {
    d.spec.template = template('hello:1')
    Object.assign(d.spec.template.metadata!, { creationTimestamp: null })
    Object.assign(d.spec.template.spec.containers[0], { resources: {} })
  })
  await f.settle()
  const byName = (n: string) => f.fake.get(RSS, `default/${n}`) as ReplicaSet
  assert.is(f.sets().length, 2, 'no third ReplicaSet')
  assert.equal(
    [revision(byName(first.metadata.name!)), byName(first.metadata.name!).spec.replicas],
    [3, 2],
  )
  assert.equal(
    [revision(byName(second.metadata.name!)), byName(second.metadata.name!).spec.replicas],
    [2, 0],
  )
  assert.equal(images(f.pods()), ['hello:1', 'hello:1'])
  assert.is(f.deploy().metadata.annotations?.['deployment.kubernetes.io/revision'], '3')
})

test('scaling: kubectl scale changes only the replicas of the ReplicaSet', async () => {
  const f = await started(deployment('web', 2))
  await f.settle()
  f.fake.take()
  f.edit((d) => (d.spec.replicas = 5))
  await f.dc.reconcile('default/web')
  const [rs] = f.sets()
  assert.equal(f.writes(), [
    `update ReplicaSet default/${rs.metadata.name}`,
    'update Deployment default/web',
  ])
  await f.settle()
  assert.is(f.pods().length, 5)
  assert.is(f.sets().length, 1)
  f.edit((d) => (d.spec.replicas = 1))
  await f.settle()
  assert.is(f.pods().length, 1)
})

test('paused: a new template waits, replicas still follow; resumed: it rolls', async () => {
  const f = await started(deployment('web', 2))
  await f.settle()
  f.edit((d) => {
    d.spec.paused = true
    d.spec.template = template('hello:2')
    d.spec.replicas = 3
  })
  await f.settle()
  assert.is(f.sets().length, 1)
  assert.equal(images(f.pods()), ['hello:1', 'hello:1', 'hello:1'])
  assert.is(progressing(f.deploy()), 'DeploymentPaused')
  f.edit((d) => (d.spec.paused = false))
  await f.settle()
  assert.equal(images(f.pods()), ['hello:2', 'hello:2', 'hello:2'])
  assert.is(progressing(f.deploy()), 'NewReplicaSetAvailable')
})

test('progressDeadlineSeconds: no progress for that long → Progressing False ProgressDeadlineExceeded', async () => {
  const f = await started(deployment('web', 1, { progressDeadlineSeconds: 60 }))
  await f.pass()
  await f.pass()
  assert.is(progressing(f.deploy()), 'ReplicaSetUpdated')
  const r = await f.dc.reconcile('default/web')
  assert.equal(r, { requeueAfter: 60_000 })
  f.clock.advance(60_000)
  await f.dc.reconcile('default/web')
  const c = f.deploy().status?.conditions?.find((x) => x.type === 'Progressing')
  assert.equal([c?.status, c?.reason], ['False', 'ProgressDeadlineExceeded'])
  assert.match(c!.message!, /has timed out progressing/)
})

test('revisionHistoryLimit: old ReplicaSets beyond it are deleted, oldest revision first', async () => {
  const f = await started(deployment('web', 1, { revisionHistoryLimit: 1 }))
  await f.settle()
  for (const image of ['hello:2', 'hello:3']) {
    f.edit((d) => (d.spec.template = template(image)))
    await f.settle()
  }
  assert.equal(f.sets().map(revision), [2, 3])
})

test.run()
