import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { resourceByKind, type Job, type Pod } from '../../api/index.ts'
import { fixture, PODS, T0 } from './controller-fixture.ts'
import { jobController } from './job.ts'

const JOBS = resourceByKind('Job')!
const uidLabel = 'batch.kubernetes.io/controller-uid'

function job(name: string, spec: Partial<Job['spec']> = {}): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1 },
    spec: {
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      suspend: false,
      selector: { matchLabels: { [uidLabel]: `uid-${name}` } },
      template: {
        metadata: { labels: { [uidLabel]: `uid-${name}`, 'batch.kubernetes.io/job-name': name } },
        spec: { containers: [{ name: 'read', image: 'sensor:1' }], restartPolicy: 'Never' },
      },
      ...spec,
    },
  }
}

async function started(j: Job) {
  const f = fixture()
  f.fake.seed(JOBS, j)
  const c = jobController(f.ctx)
  await f.ctx.informers.start()
  const key = `default/${j.metadata.name}`
  const pods = () => f.fake.all(PODS) as Pod[]
  const get = () => f.fake.get(JOBS, key) as Job
  /** the agent reports how the command ended */
  const finish = (pod: Pod, exitCode: number, at = new Date(f.clock.now()).toISOString()) =>
    f.fake.seed(PODS, {
      ...pod,
      spec: { ...pod.spec, nodeName: 'pi-1' },
      status: {
        phase: exitCode === 0 ? 'Succeeded' : 'Failed',
        containerStatuses: [
          {
            name: 'read',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode, finishedAt: at } },
          },
        ],
      },
    })
  const writes = () => f.writes().map((w) => w.replace(/-[a-z0-9]{5}$/, '-*'))
  return { ...f, c, key, pods, get, finish, writes }
}

const types = (j: Job) => j.status?.conditions?.map((c) => `${c.type}=${c.status} ${c.reason}`)

test('parallelism 2, completions 3: two pods, then one, then Complete', async () => {
  const f = await started(job('read', { parallelism: 2, completions: 3 }))
  await f.c.reconcile(f.key)
  assert.equal(f.writes(), [
    'create Pod default/read-*',
    'create Pod default/read-*',
    'update Job default/read',
  ])
  const pod = f.pods()[0]
  assert.equal(pod.metadata.ownerReferences, [
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      name: 'read',
      uid: 'uid-read',
      controller: true,
      blockOwnerDeletion: true,
    },
  ])
  assert.is(pod.metadata.generateName, 'read-')
  assert.is(pod.metadata.labels?.[uidLabel], 'uid-read')
  assert.equal(f.get().status, {
    startTime: '2026-01-01T00:00:00Z',
    active: 2,
    terminating: 0,
    ready: 0,
    uncountedTerminatedPods: {},
  })
  for (const p of f.pods()) f.finish(p, 0)
  await f.c.reconcile(f.key)
  assert.equal(f.writes(), ['create Pod default/read-*', 'update Job default/read'])
  assert.equal([f.get().status?.active, f.get().status?.succeeded], [1, 2])
  f.finish(
    f.pods().find((p) => p.status?.phase === 'Pending')!,
    0,
  )
  f.clock.advance(5000)
  await f.c.reconcile(f.key)
  assert.equal(f.writes(), ['update Job default/read'])
  const done = f.get()
  assert.equal(types(done), [
    'SuccessCriteriaMet=True CompletionsReached',
    'Complete=True CompletionsReached',
  ])
  assert.is(done.status?.conditions?.[1].message, 'Reached expected number of succeeded pods')
  assert.equal(
    [done.status?.succeeded, done.status?.active, done.status?.completionTime],
    [3, undefined, '2026-01-01T00:00:05Z'],
  )
  assert.equal(f.events(), [
    'SuccessfulCreate',
    'SuccessfulCreate',
    'SuccessfulCreate',
    'Completed',
  ])
  await f.c.reconcile(f.key)
  assert.equal(f.writes(), [], 'finished: nothing more')
})

test('a failure waits out the back-off (10 s, then 20 s); past backoffLimit the Job fails', async () => {
  const f = await started(job('flaky', { backoffLimit: 1 }))
  await f.c.reconcile(f.key)
  f.writes()
  f.finish(f.pods()[0], 1)
  f.clock.advance(4000)
  assert.equal(await f.c.reconcile(f.key), { requeueAfter: 6000 })
  assert.equal(f.writes(), ['update Job default/flaky'], 'failed counted, no pod yet')
  assert.is(f.get().status?.failed, 1)
  f.clock.advance(6000)
  await f.c.reconcile(f.key)
  assert.equal(f.writes(), ['create Pod default/flaky-*', 'update Job default/flaky'])
  f.finish(
    f.pods().find((p) => p.status?.phase === 'Pending')!,
    2,
  )
  await f.c.reconcile(f.key)
  assert.equal(f.writes(), ['update Job default/flaky'])
  const failed = f.get()
  assert.equal(types(failed), [
    'FailureTarget=True BackoffLimitExceeded',
    'Failed=True BackoffLimitExceeded',
  ])
  assert.is(failed.status?.conditions?.[1].message, 'Job has reached the specified backoff limit')
  assert.equal([failed.status?.failed, failed.status?.completionTime], [2, undefined])
  assert.ok(f.events().includes('BackoffLimitExceeded'))
})

test('OnFailure: restarts in place count against backoffLimit', async () => {
  const j = job('retry', { backoffLimit: 2 })
  j.spec.template.spec!.restartPolicy = 'OnFailure'
  const f = await started(j)
  await f.c.reconcile(f.key)
  f.writes()
  const pod = f.pods()[0]
  f.fake.seed(PODS, {
    ...pod,
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'read',
          ready: false,
          restartCount: 2,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
        },
      ],
    },
  })
  await f.c.reconcile(f.key)
  assert.equal(f.writes(), ['delete Pod default/retry-*', 'update Job default/retry'])
  assert.equal(types(f.get()), [
    'FailureTarget=True BackoffLimitExceeded',
    'Failed=True BackoffLimitExceeded',
  ])
  assert.is(f.get().status?.failed, 1, 'the deleted active pod counts as failed')
})

test('activeDeadlineSeconds: a later look is asked for, then the pods go and the Job fails', async () => {
  const f = await started(job('slow', { activeDeadlineSeconds: 30 }))
  assert.equal(await f.c.reconcile(f.key), { requeueAfter: 30_000 })
  f.writes()
  f.clock.advance(30_000)
  await f.c.reconcile(f.key)
  assert.equal(f.writes(), ['delete Pod default/slow-*', 'update Job default/slow'])
  assert.equal(types(f.get()), [
    'FailureTarget=True DeadlineExceeded',
    'Failed=True DeadlineExceeded',
  ])
  assert.equal(f.events().slice(-2), ['SuccessfulDelete', 'DeadlineExceeded'])
})

test('suspend deletes the active pods without counting them; resume starts again', async () => {
  const f = await started(job('paused'))
  await f.c.reconcile(f.key)
  f.writes()
  const j = f.get()
  f.fake.seed(JOBS, { ...j, spec: { ...j.spec, suspend: true } })
  await f.c.reconcile(f.key)
  assert.equal(f.writes(), ['delete Pod default/paused-*', 'update Job default/paused'])
  assert.equal(types(f.get()), ['Suspended=True JobSuspended'])
  assert.equal([f.get().status?.failed, f.get().status?.active], [undefined, undefined])
  const s = f.get()
  f.clock.advance(60_000)
  f.fake.seed(JOBS, { ...s, spec: { ...s.spec, suspend: false } })
  await f.c.reconcile(f.key)
  assert.equal(f.writes(), ['create Pod default/paused-*', 'update Job default/paused'])
  assert.equal(types(f.get()), ['Suspended=False JobResumed'])
  assert.is(
    f.get().status?.startTime,
    '2026-01-01T00:01:00Z',
    'the deadline counts from the resume',
  )
  assert.equal(f.events().slice(-3), ['Suspended', 'Resumed', 'SuccessfulCreate'])
})

test('a succeeded pod deleted still counts; ttlSecondsAfterFinished deletes the Job (its pods: the garbage collector)', async () => {
  const f = await started(
    job('once', { completions: 2, parallelism: 2, ttlSecondsAfterFinished: 60 }),
  )
  await f.c.reconcile(f.key)
  f.writes()
  const [a, b] = f.pods()
  f.finish(a, 0)
  await f.c.reconcile(f.key)
  f.fake.delete(PODS, `default/${a.metadata.name}`)
  f.finish(b, 0)
  assert.equal(await f.c.reconcile(f.key), { requeueAfter: 60_000 })
  f.writes()
  assert.equal(
    [f.get().status?.succeeded, types(f.get())?.[1]],
    [2, 'Complete=True CompletionsReached'],
  )
  f.clock.advance(60_000)
  await f.c.reconcile(f.key)
  assert.equal(f.writes(), ['delete Job default/once'])
  await f.c.reconcile(f.key)
  assert.equal(f.writes(), [], 'the pods are left to the garbage collector (Background)')
  assert.is(T0 + 60_000, f.clock.now())
})

test.run()
