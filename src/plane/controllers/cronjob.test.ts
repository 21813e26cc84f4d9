import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { resourceByKind, type CronJob, type Job } from '../../api/index.ts'
import { fixture, T0 } from './controller-fixture.ts'
import { cronJobController, SCHEDULED_AT } from './cronjob.ts'

const JOBS = resourceByKind('Job')!
const CRONJOBS = resourceByKind('CronJob')!
const MIN = 60_000
const minutes = T0 / MIN

function cronJob(spec: Partial<CronJob['spec']> = {}, status?: CronJob['status']): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name: 'read',
      namespace: 'default',
      uid: 'uid-read',
      creationTimestamp: '2026-01-01T00:00:00Z',
    },
    spec: {
      schedule: '*/5 * * * *',
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: {
        metadata: { labels: { app: 'sensor' } },
        spec: {
          template: {
            spec: { containers: [{ name: 'read', image: 'sensor:1' }], restartPolicy: 'Never' },
          },
        },
      },
      ...spec,
    },
    ...(status ? { status } : {}),
  }
}

async function started(cj: CronJob, jobs: Job[] = []) {
  const f = fixture()
  f.fake.seed(CRONJOBS, cj)
  f.fake.seed(JOBS, ...jobs)
  const c = cronJobController(f.ctx)
  await f.ctx.informers.start()
  const get = () => f.fake.get(CRONJOBS, 'default/read') as CronJob
  const jobs_ = () => f.fake.all(JOBS) as Job[]
  return { ...f, c, get, jobs: jobs_, run: () => c.reconcile('default/read') }
}

/** a Job of the CronJob, made at minute `m` after T0, finished or not */
function owned(m: number, finished?: 'Complete' | 'Failed'): Job {
  const at = new Date(T0 + m * MIN).toISOString().replace('.000', '')
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `read-${minutes + m}`,
      namespace: 'default',
      uid: `uid-job-${m}`,
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          name: 'read',
          uid: 'uid-read',
          controller: true,
        },
      ],
    },
    spec: { template: { spec: { containers: [] } } },
    status: {
      startTime: at,
      ...(finished
        ? {
            conditions: [{ type: finished, status: 'True', lastTransitionTime: at }],
            ...(finished === 'Complete' ? { completionTime: at } : {}),
          }
        : { active: 1 }),
    },
  }
}
const ref = (m: number) => ({
  kind: 'Job',
  namespace: 'default',
  name: `read-${minutes + m}`,
  uid: `uid-job-${m}`,
  apiVersion: 'batch/v1',
})

test('fires at the scheduled minute: a Job named by the minute, then waits for the next', async () => {
  const f = await started(cronJob())
  assert.equal(await f.run(), { requeueAfter: 5 * MIN + 100 })
  assert.equal(f.writes(), [])
  f.clock.advance(5 * MIN + 100)
  assert.equal(await f.run(), { requeueAfter: 5 * MIN })
  assert.equal(f.writes(), [
    `create Job default/read-${minutes + 5}`,
    'update CronJob default/read',
  ])
  const job = f.jobs()[0]
  assert.equal(job.metadata.annotations, { [SCHEDULED_AT]: '2026-01-01T00:05:00Z' })
  assert.equal(job.metadata.labels, { app: 'sensor' })
  assert.equal(job.metadata.ownerReferences?.[0], {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    name: 'read',
    uid: 'uid-read',
    controller: true,
    blockOwnerDeletion: true,
  })
  const uid = job.metadata.uid!
  assert.equal(job.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } })
  assert.equal([job.spec.completions, job.spec.parallelism, job.spec.backoffLimit], [1, 1, 6])
  assert.is(
    job.spec.template.metadata?.labels?.['batch.kubernetes.io/job-name'],
    `read-${minutes + 5}`,
  )
  const st = f.get().status!
  assert.equal(
    [st.active?.map((a) => a.name), st.lastScheduleTime],
    [[`read-${minutes + 5}`], '2026-01-01T00:05:00Z'],
  )
  assert.equal(f.events(), ['SuccessfulCreate'])
  await f.run()
  assert.equal(f.writes(), [], 'the time is done: nothing more')
})

test('a restart that lost the status update does not run the time twice', async () => {
  const f = await started(cronJob(), [owned(5)])
  f.clock.advance(5 * MIN + 500)
  await f.run()
  assert.equal(f.writes(), ['update CronJob default/read'])
  assert.equal(
    f.get().status?.active?.map((a) => a.uid),
    ['uid-job-5'],
  )
  assert.equal(f.jobs().length, 1)
})

test('Forbid skips a time while a Job runs; Replace deletes it first', async () => {
  const status = { active: [ref(5)], lastScheduleTime: '2026-01-01T00:05:00Z' }
  const f = await started(cronJob({ concurrencyPolicy: 'Forbid' }, status), [owned(5)])
  f.clock.advance(10 * MIN)
  await f.run()
  assert.equal(f.writes(), [])
  assert.equal(f.events(), ['JobAlreadyActive'])
  const r = await started(cronJob({ concurrencyPolicy: 'Replace' }, status), [owned(5)])
  r.clock.advance(10 * MIN)
  await r.run()
  assert.equal(r.writes(), [
    `delete Job default/read-${minutes + 5}`,
    `create Job default/read-${minutes + 10}`,
    'update CronJob default/read',
  ])
  assert.equal(
    r.get().status?.active?.map((a) => a.name),
    [`read-${minutes + 10}`],
  )
})

test('missed times: only the most recent runs; over 100 missed says TooManyMissedTimes', async () => {
  const f = await started(cronJob({ schedule: '* * * * *' }))
  f.clock.advance(150 * MIN + 30_000)
  await f.run()
  assert.equal(f.writes(), [
    `create Job default/read-${minutes + 150}`,
    'update CronJob default/read',
  ])
  assert.equal(f.events(), ['TooManyMissedTimes', 'SuccessfulCreate'])
  const few = await started(cronJob({ schedule: '* * * * *' }))
  few.clock.advance(7 * MIN)
  await few.run()
  assert.equal(few.writes(), [
    `create Job default/read-${minutes + 7}`,
    'update CronJob default/read',
  ])
  assert.equal(few.events(), ['SuccessfulCreate'])
})

test('finished Jobs leave active; the oldest beyond the history limits are deleted; suspend runs nothing', async () => {
  const status = { active: [ref(3)], lastScheduleTime: '2026-01-01T00:03:00Z' }
  const jobs = [
    owned(0, 'Complete'),
    owned(1, 'Complete'),
    owned(2, 'Failed'),
    owned(3, 'Complete'),
  ]
  const f = await started(
    cronJob({ schedule: '0 * * * *', successfulJobsHistoryLimit: 1, suspend: true }, status),
    jobs,
  )
  f.clock.advance(90 * MIN)
  assert.is(await f.run(), undefined)
  assert.equal(f.writes(), [
    `delete Job default/read-${minutes}`,
    `delete Job default/read-${minutes + 1}`,
    'update CronJob default/read',
  ])
  const st = f.get().status!
  assert.equal([st.active, st.lastSuccessfulTime], [undefined, '2026-01-01T00:03:00Z'])
  assert.equal(f.events(), ['SawCompletedJob', 'SuccessfulDelete', 'SuccessfulDelete'])
})

test('a time zone: the time is read there and the annotation carries its offset', async () => {
  const f = await started(cronJob({ schedule: '0 9 * * *', timeZone: 'Europe/Berlin' }))
  f.clock.advance(8 * 60 * MIN)
  await f.run()
  assert.equal(f.jobs()[0].metadata.annotations?.[SCHEDULED_AT], '2026-01-01T09:00:00+01:00')
})

test.run()
