// The CronJob controller (Kubernetes' cronjob ControllerV2): at each time of the schedule it
// creates a Job from jobTemplate named <cronjob>-<scheduled time in minutes since the epoch> —
// the name is the lock, so a restart or a stale cache never runs a time twice — and keeps
// status.active (finished Jobs leave it: SawCompletedJob; vanished ones: MissingJob),
// lastScheduleTime and lastSuccessfulTime. Only the most recent missed time runs (more than
// 100 missed: TooManyMissedTimes); a time older than startingDeadlineSeconds is skipped
// (MissSchedule); Forbid skips a time while a Job is active (JobAlreadyActive), Replace deletes
// the active Jobs first; suspend schedules nothing. Finished Jobs beyond
// successfulJobsHistoryLimit / failedJobsHistoryLimit are deleted, oldest start first. The key
// is looked at again at the next time (+100 ms) through the work queue and the Clock.
import {
  applyDefaults,
  deepEqual,
  resourceByKind,
  type CronJob,
  type CronJobStatus,
  type Job,
  type ObjectReference,
} from '../../api/index.ts'
import { isShoalError } from '../../core/index.ts'
import { mostRecent, scheduleOf, type Schedule } from './cron-times.ts'
import { condition, isFinished } from './job-status.ts'
import {
  Controller,
  controllerOf,
  keyOf,
  type ControllerContext,
  type Informer,
} from './kit/index.ts'

const JOBS = resourceByKind('Job')!
const CRONJOBS = resourceByKind('CronJob')!
/** Kubernetes' nextScheduleDelta: look a little after the time, never just before it */
const NEXT_DELTA_MS = 100
export const SCHEDULED_AT = 'batch.kubernetes.io/cronjob-scheduled-timestamp'

interface Caches {
  jobs: Informer<Job>
  cronJobs: Informer<CronJob>
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

export function cronJobController(ctx: ControllerContext): Controller {
  const caches: Caches = {
    jobs: ctx.informers.for<Job>(JOBS),
    cronJobs: ctx.informers.for<CronJob>(CRONJOBS),
  }
  const c = new Controller('cronjob', (key) => reconcile(ctx, caches, key), ctx)
  caches.cronJobs.on({ added: (cj) => c.enqueue(keyOf(cj)), updated: (cj) => c.enqueue(keyOf(cj)) })
  const tell = (j: Job) => {
    const uid = controllerOf(j)
    const cj =
      uid &&
      caches.cronJobs.cache
        .byNamespace(j.metadata.namespace ?? '')
        .find((x) => x.metadata.uid === uid)
    if (cj) c.enqueue(keyOf(cj))
  }
  caches.jobs.on({ added: tell, updated: tell, deleted: tell })
  return c
}

type Event = (reason: string, message: string, type?: 'Normal' | 'Warning') => void

export async function reconcile(ctx: ControllerContext, caches: Caches, key: string) {
  const cj = caches.cronJobs.cache.get(key)
  if (!cj || cj.metadata.deletionTimestamp) return
  const event: Event = (reason, message, type = 'Normal') =>
    ctx.events.event({ info: CRONJOBS, obj: cj }, { type, reason, message })
  const jobs = caches.jobs.cache.byOwner(cj.metadata.uid!)
  const status: CronJobStatus = structuredClone(cj.status ?? {})
  trackActive(status, jobs, event)
  let requeueAfter: number | undefined
  const schedule = scheduleOf(cj)
  if ('error' in schedule)
    event(
      'UnparseableSchedule',
      `unparseable schedule: ${cj.spec.schedule} : ${schedule.error}`,
      'Warning',
    )
  else if (!cj.spec.suspend) requeueAfter = await run(ctx, { caches, cj, status, schedule, event })
  await cleanup(ctx, cj, caches.jobs.cache.byOwner(cj.metadata.uid!), event)
  if (!status.active?.length) delete status.active
  if (!deepEqual(cj.status ?? {}, status)) {
    const written = await ctx.store.replace(CRONJOBS, cj, { ...cj, status } as CronJob)
    await caches.cronJobs.seen(Number(written.metadata.resourceVersion))
  }
  return requeueAfter === undefined ? undefined : { requeueAfter }
}

/** status.active against the Jobs that exist, lastSuccessfulTime from the completed ones */
function trackActive(status: CronJobStatus, jobs: Job[], event: Event) {
  const active = (status.active ??= [])
  const has = (uid?: string) => active.some((r) => r.uid === uid)
  for (const j of jobs) {
    const found = has(j.metadata.uid)
    if (!found && !isFinished(j))
      event(
        'UnexpectedJob',
        `Saw a job that the controller did not create or forgot: ${j.metadata.name}`,
        'Warning',
      )
    else if (found && isFinished(j)) {
      status.active = active.splice(
        0,
        active.length,
        ...active.filter((r) => r.uid !== j.metadata.uid),
      )
      const how = condition(j, 'Complete') ? 'Complete' : 'Failed'
      event('SawCompletedJob', `Saw completed job: ${j.metadata.name}, condition: ${how}`)
    }
    const done = condition(j, 'Complete') && j.status?.completionTime
    if (
      done &&
      (!status.lastSuccessfulTime || Date.parse(done) > Date.parse(status.lastSuccessfulTime))
    )
      status.lastSuccessfulTime = done
  }
  const uids = new Set(jobs.map((j) => j.metadata.uid))
  for (const r of [...active]) {
    if (uids.has(r.uid)) continue
    event('MissingJob', `Active job went missing: ${r.name}`)
    active.splice(active.indexOf(r), 1)
  }
  status.active = active
}

interface Run {
  caches: Caches
  cj: CronJob
  status: CronJobStatus
  schedule: Schedule
  event: Event
}

/** the Job of the most recent time due, if it may run; ms until the next time */
async function run(ctx: ControllerContext, r: Run): Promise<number | undefined> {
  const { cj, status, schedule, event } = r
  const now = ctx.clock.now()
  const current = { ...cj, status } as CronJob
  const due = mostRecent(current, schedule, { now, withDeadline: true })
  if (due.missed === 'many')
    event(
      'TooManyMissedTimes',
      'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
      'Warning',
    )
  const next = () => nextIn(current, schedule, now)
  const at = due.mostRecent
  if (at === undefined) return next()
  const deadline = cj.spec.startingDeadlineSeconds
  if (deadline !== undefined && deadline !== null && at + deadline * 1000 < now) {
    event(
      'MissSchedule',
      `Missed scheduled time to start a job: ${new Date(at).toUTCString().replace('GMT', '+0000')}`,
      'Warning',
    )
    return next()
  }
  const name = `${cj.metadata.name}-${Math.floor(at / 60_000)}`
  if (status.active!.some((a) => a.name === name) || status.lastScheduleTime === stamp(at))
    return next()
  if (cj.spec.concurrencyPolicy === 'Forbid' && status.active!.length) {
    event(
      'JobAlreadyActive',
      'Not starting job because prior execution is running and concurrency policy is Forbid',
    )
    return next()
  }
  if (cj.spec.concurrencyPolicy === 'Replace') await replaceActive(ctx, r)
  const made = await createJob(ctx, r, jobFor(cj, name, at))
  if (!made) return next()
  if (!status.active!.some((a) => a.uid === made.metadata.uid)) status.active!.push(refTo(made))
  status.lastScheduleTime = stamp(at)
  return nextIn({ ...cj, status } as CronJob, schedule, now)
}

/** ms from now until the next time (+100 ms) */
function nextIn(cj: CronJob, schedule: Schedule, now: number): number | undefined {
  const due = mostRecent(cj, schedule, { now, withDeadline: false })
  const t = schedule.next(due.mostRecent ?? due.earliest)
  return t === undefined ? undefined : t + NEXT_DELTA_MS - now
}

async function replaceActive(ctx: ControllerContext, r: Run) {
  for (const ref of [...r.status.active!]) {
    const key = `${ref.namespace}/${ref.name}`
    const job = r.caches.jobs.cache.get(key)
    if (job) await deleteJob(ctx, job, r.event)
    r.status.active = r.status.active!.filter((a) => a.uid !== ref.uid)
  }
}

async function createJob(ctx: ControllerContext, r: Run, job: Job) {
  const { cj, event } = r
  try {
    const made = (await ctx.store.create(JOBS, job)) as Job
    await r.caches.jobs.seen(Number(made.metadata.resourceVersion))
    event('SuccessfulCreate', `Created job ${made.metadata.name}`)
    return made
  } catch (err) {
    if (!isShoalError(err, 'AlreadyExists')) {
      event('FailedCreate', `Error creating job: ${(err as Error).message}`, 'Warning')
      throw err
    }
    // made before (a restart, a stale cache): the name is the lock, nothing runs twice
    const found = r.caches.jobs.cache.get(keyOf(job))
    return found && controllerOf(found) === cj.metadata.uid ? found : undefined
  }
}

async function deleteJob(ctx: ControllerContext, job: Job, event: Event) {
  try {
    // Background, as Kubernetes' CronJob controller: batch/v1 Jobs orphan their pods by default
    await ctx.store.remove(JOBS, job, { propagationPolicy: 'Background' })
    event('SuccessfulDelete', `Deleted job ${job.metadata.name}`)
  } catch (err) {
    if (!isShoalError(err, 'NotFound') && !isShoalError(err, 'Conflict')) throw err
  }
}

const refTo = (j: Job): ObjectReference => ({
  kind: 'Job',
  namespace: j.metadata.namespace,
  name: j.metadata.name,
  uid: j.metadata.uid,
  apiVersion: 'batch/v1',
  resourceVersion: j.metadata.resourceVersion,
})

/** the scheduled time as RFC 3339 in the CronJob's time zone */
function inZone(at: number, tz: string | undefined): string {
  if (!tz || tz === 'UTC') return stamp(at)
  const name = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')?.value
  const m = /^GMT([+-])(\d\d):(\d\d)$/.exec(name ?? '')
  if (!m) return stamp(at) // GMT itself
  const offsetMin = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]))
  return `${stamp(at + offsetMin * 60_000).slice(0, -1)}${m[1]}${m[2]}:${m[3]}`
}

/** getJobFromTemplate2, with what the API server adds to a created Job (defaults, selector) */
export function jobFor(cj: CronJob, name: string, at: number): Job {
  const t = cj.spec.jobTemplate
  const uid = crypto.randomUUID()
  const own = {
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': name,
    'controller-uid': uid,
    'job-name': name,
  }
  const spec = structuredClone(t.spec)
  spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } }
  spec.template = {
    ...spec.template,
    metadata: {
      ...spec.template?.metadata,
      labels: { ...own, ...spec.template?.metadata?.labels },
    },
  }
  const labels = t.metadata?.labels ?? spec.template.metadata?.labels
  return applyDefaults({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: cj.metadata.namespace,
      uid,
      labels: { ...labels },
      annotations: { ...t.metadata?.annotations, [SCHEDULED_AT]: inZone(at, cj.spec.timeZone) },
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          name: cj.metadata.name!,
          uid: cj.metadata.uid!,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec,
  })
}

/** history limits: the oldest finished Jobs beyond them deleted */
async function cleanup(ctx: ControllerContext, cj: CronJob, jobs: Job[], event: Event) {
  const start = (j: Job) => Date.parse(j.status?.startTime ?? '') || Infinity
  const oldestFirst = (a: Job, b: Job) =>
    start(a) - start(b) || (a.metadata.name! < b.metadata.name! ? -1 : 1)
  const limits: [string, number | undefined][] = [
    ['Complete', cj.spec.successfulJobsHistoryLimit],
    ['Failed', cj.spec.failedJobsHistoryLimit],
  ]
  for (const [type, limit] of limits) {
    if (limit === undefined || limit === null) continue
    const done = jobs.filter((j) => condition(j, type)).sort(oldestFirst)
    for (const j of done.slice(0, Math.max(0, done.length - limit))) await deleteJob(ctx, j, event)
  }
}
