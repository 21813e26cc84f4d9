// The Job controller (Kubernetes' job controller, NonIndexed completion): runs a Job's pods —
// up to parallelism while completions remain (or, without completions, until one succeeds),
// created from the template as <job>-<5 chars>, controlled by the Job — and counts them as the
// node agent reports wasi:cli commands (exit 0: Succeeded; non-zero with Never: Failed; with
// OnFailure the agent restarts in place and the restarts count). Failed pods past backoffLimit
// or a start older than activeDeadlineSeconds fail the Job (FailureTarget, then Failed; its
// active pods deleted); enough successes complete it (SuccessCriteriaMet, then Complete and
// completionTime). A failure delays the next pod (10 s doubling, at most 6 min). suspend deletes
// the active pods (Suspended condition); resuming restarts the deadline. A finished Job with
// ttlSecondsAfterFinished is deleted that long after it finished (Background propagation: the
// garbage collector deletes its pods, as it does for a Job deleted by hand, and keeps them when
// the delete asked for orphans). Status: active, ready, succeeded, failed, terminating,
// startTime, completionTime, conditions — written only when changed. Counting: job-status.ts.
import {
  deepEqual,
  podQosClass,
  resourceByKind,
  type Condition,
  type Job,
  type JobStatus,
  type OwnerReference,
  type Pod,
} from '../../api/index.ts'
import { isShoalError } from '../../core/index.ts'
import {
  Controller,
  controllerOf,
  keyOf,
  type ControllerContext,
  type Informer,
} from './kit/index.ts'
import {
  backoffLeft,
  condition,
  ensureCondition,
  isFinished,
  Ledger,
  pastBackoffLimitOnFailure,
  readyCount,
} from './job-status.ts'
import { isActive, deleteFirst } from './pod-state.ts'
import { nameSuffix } from './replicaset.ts'

const PODS = resourceByKind('Pod')!
const JOBS = resourceByKind('Job')!
const BURST = 500

interface Caches {
  pods: Informer<Pod>
  jobs: Informer<Job>
  ledger: Ledger
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

export function jobController(ctx: ControllerContext): Controller {
  const caches: Caches = {
    pods: ctx.informers.for<Pod>(PODS),
    jobs: ctx.informers.for<Job>(JOBS),
    ledger: new Ledger(),
  }
  const c = new Controller('job', (key) => reconcile(ctx, caches, key), ctx)
  const { pods, jobs } = caches
  jobs.on({
    added: (j) => c.enqueue(keyOf(j)),
    updated: (j) => c.enqueue(keyOf(j)),
    deleted: (j) => caches.ledger.forget(j.metadata.uid!),
  })
  const ownerOf = (p: Pod) => {
    const uid = controllerOf(p)
    return (
      uid && jobs.cache.byNamespace(p.metadata.namespace ?? '').find((j) => j.metadata.uid === uid)
    )
  }
  const tell = (p: Pod) => {
    const job = ownerOf(p)
    if (job) c.enqueue(keyOf(job))
  }
  pods.on({
    added: tell,
    updated: (p, old) => (tell(p), controllerOf(old) !== controllerOf(p) && tell(old)),
    deleted: (p) => {
      const job = ownerOf(p)
      if (!job) return
      caches.ledger.gone(job, p, pods.cache.byOwner(job.metadata.uid!))
      c.enqueue(keyOf(job))
    },
  })
  return c
}

export async function reconcile(ctx: ControllerContext, caches: Caches, key: string) {
  const job = caches.jobs.cache.get(key)
  if (!job) return
  if (job.metadata.deletionTimestamp) return
  if (isFinished(job)) return expire(ctx, job)
  const sync = new JobSync(ctx, caches, job)
  const requeueAfter = await sync.run()
  const after = await writeStatus(ctx, caches, job, sync.status())
  if (after) return after
  return requeueAfter ? { requeueAfter } : undefined
}

function ignoreGone(err: unknown) {
  if (!isShoalError(err, 'NotFound') && !isShoalError(err, 'Conflict')) throw err
}

/** ttlSecondsAfterFinished: the finished Job is deleted that long after it finished */
async function expire(ctx: ControllerContext, job: Job) {
  const ttl = job.spec.ttlSecondsAfterFinished
  if (ttl === undefined || ttl === null) return
  const done = condition(job, 'Complete') ?? condition(job, 'Failed')
  const at = Date.parse(job.status?.completionTime ?? done?.lastTransitionTime ?? '') + ttl * 1000
  const left = at - ctx.clock.now()
  if (left > 0) return { requeueAfter: left }
  // Background: batch/v1 Jobs orphan their pods by default, the garbage collector deletes them
  await ctx.store.remove(JOBS, job, { propagationPolicy: 'Background' }).catch(ignoreGone)
}

export function jobRef(job: Job): OwnerReference {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    name: job.metadata.name!,
    uid: job.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  }
}

export function podFromJob(job: Job): Pod {
  const t = job.spec.template
  const base = job.metadata.name!.slice(0, 57)
  const spec = structuredClone(t?.spec ?? { containers: [] })
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${base}-${nameSuffix()}`,
      generateName: `${base}-`,
      namespace: job.metadata.namespace,
      ...(t?.metadata?.labels ? { labels: { ...t.metadata.labels } } : {}),
      ...(t?.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
      ownerReferences: [jobRef(job)],
    },
    spec,
    status: { phase: 'Pending', qosClass: podQosClass(spec) },
  }
}

/** one sync of one Job: decides, creates and deletes pods, then says what its status is */
class JobSync {
  readonly #ctx: ControllerContext
  readonly #caches: Caches
  readonly #job: Job
  #pods: Pod[]
  #active: Pod[]
  #conditions: Condition[]
  #startTime: string | undefined
  #completionTime: string | undefined
  readonly #now: number

  constructor(ctx: ControllerContext, caches: Caches, job: Job) {
    this.#ctx = ctx
    this.#caches = caches
    this.#job = job
    this.#pods = caches.pods.cache.byOwner(job.metadata.uid!)
    this.#active = this.#pods.filter(isActive)
    this.#conditions = [...(job.status?.conditions ?? [])]
    this.#now = ctx.clock.now()
    this.#startTime = job.status?.startTime ?? (job.spec.suspend ? undefined : stamp(this.#now))
    this.#completionTime = job.status?.completionTime
  }

  #event(reason: string, message: string, type: 'Normal' | 'Warning' = 'Normal') {
    this.#ctx.events.event({ info: JOBS, obj: this.#job }, { type, reason, message })
  }

  /** ms until a later look is due (back-off, deadline), or undefined */
  async run(): Promise<number | undefined> {
    const job = this.#job
    const counts = this.#caches.ledger.counts(job, this.#pods)
    const failure = this.#failure(counts.failed)
    if (failure) return void (await this.#fail(failure))
    const wait = job.spec.suspend ? await this.#suspend() : await this.#manage(counts.succeeded)
    const completions = job.spec.completions
    const done =
      this.#active.length === 0 &&
      (completions === undefined || completions === null
        ? counts.succeeded > 0
        : counts.succeeded >= completions)
    if (done) return void this.#complete()
    const deadline = job.spec.activeDeadlineSeconds
    if (!deadline || job.spec.suspend || !this.#startTime) return wait
    const left = Date.parse(this.#startTime) + deadline * 1000 - this.#now
    return wait === undefined ? left : Math.min(wait, left)
  }

  #failure(failed: number): { reason: string; message: string } | undefined {
    const job = this.#job
    const target = condition(job, 'FailureTarget')
    if (target) return { reason: target.reason ?? '', message: target.message ?? '' }
    if (failed > (job.spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, this.#pods))
      return {
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
      }
    const deadline = job.spec.activeDeadlineSeconds
    const start = Date.parse(job.status?.startTime ?? '')
    if (deadline && !job.spec.suspend && this.#now - start >= deadline * 1000)
      return {
        reason: 'DeadlineExceeded',
        message: 'Job was active longer than specified deadline',
      }
  }

  /** FailureTarget, the active pods deleted (counted failed), then Failed */
  async #fail(f: { reason: string; message: string }) {
    await this.#delete(this.#active, false)
    const now = stamp(this.#now)
    for (const type of ['FailureTarget', 'Failed'])
      this.#conditions = ensureCondition(this.#conditions, { type, status: 'True', ...f }, now)
    this.#event(f.reason, f.message, 'Warning')
  }

  #complete() {
    const now = stamp(this.#now)
    const why = {
      reason: 'CompletionsReached',
      message: 'Reached expected number of succeeded pods',
    }
    for (const type of ['SuccessCriteriaMet', 'Complete'])
      this.#conditions = ensureCondition(this.#conditions, { type, status: 'True', ...why }, now)
    this.#completionTime = now
    this.#event('Completed', 'Job completed')
  }

  async #suspend(): Promise<undefined> {
    await this.#delete(this.#active, true)
    this.#setSuspended('True', 'JobSuspended', 'Job suspended', 'Suspended')
    return undefined
  }

  #setSuspended(status: 'True' | 'False', reason: string, message: string, event: string) {
    const before = this.#conditions
    this.#conditions = ensureCondition(
      before,
      { type: 'Suspended', status, reason, message },
      stamp(this.#now),
    )
    if (this.#conditions === before) return
    this.#event(event, message)
    if (status === 'False') this.#startTime = stamp(this.#now) // the deadline counts from the resume
  }

  /** as manageJob: surplus pods deleted, missing ones created after the back-off */
  async #manage(succeeded: number): Promise<number | undefined> {
    const job = this.#job
    this.#setSuspended('False', 'JobResumed', 'Job resumed', 'Resumed')
    const parallelism = job.spec.parallelism ?? 1
    const active = this.#active.length
    const completions = job.spec.completions
    const want =
      completions === undefined || completions === null
        ? succeeded > 0
          ? active
          : parallelism
        : Math.max(0, Math.min(completions - succeeded, parallelism))
    if (active > want) {
      const surplus = [...this.#active].sort(deleteFirst).slice(0, Math.min(active - want, BURST))
      await this.#delete(surplus, true)
      return undefined
    }
    if (active === want) return undefined
    const left = backoffLeft(this.#pods, this.#now)
    if (left > 0) return left
    await this.#create(Math.min(want - active, BURST))
    return undefined
  }

  async #create(n: number) {
    const { store } = this.#ctx
    const results = await Promise.allSettled(
      Array.from({ length: n }, () => store.create(PODS, podFromJob(this.#job))),
    )
    let last = 0
    for (const r of results) {
      if (r.status === 'rejected') {
        this.#event('FailedCreate', `Error creating: ${(r.reason as Error).message}`, 'Warning')
        continue
      }
      last = Math.max(last, Number(r.value.metadata.resourceVersion))
      this.#active.push(r.value as Pod)
      this.#event('SuccessfulCreate', `Created pod: ${r.value.metadata.name}`)
    }
    await this.#caches.pods.seen(last)
    const failed = results.find((r) => r.status === 'rejected')
    if (failed) throw (failed as PromiseRejectedResult).reason
  }

  /** deletes pods; `uncounted`: they do not count as failed (surplus, suspended) */
  async #delete(pods: Pod[], uncounted: boolean) {
    if (uncounted) pods.forEach((p) => this.#caches.ledger.skip(p))
    const results = await Promise.allSettled(pods.map((p) => this.#ctx.store.remove(PODS, p)))
    let last = 0
    results.forEach((r, i) => {
      if (r.status !== 'fulfilled') return
      last = Math.max(last, Number(r.value.obj.metadata.resourceVersion))
      this.#event('SuccessfulDelete', `Deleted pod: ${pods[i].metadata.name}`)
    })
    await this.#caches.pods.seen(last)
    this.#pods = this.#caches.pods.cache.byOwner(this.#job.metadata.uid!)
    this.#active = this.#pods.filter(isActive)
    const failed = results.find((r) => r.status === 'rejected')
    if (failed) throw (failed as PromiseRejectedResult).reason
  }

  status(): JobStatus {
    const counts = this.#caches.ledger.counts(this.#job, this.#pods)
    return {
      ...(this.#conditions.length ? { conditions: this.#conditions } : {}),
      ...(this.#startTime ? { startTime: this.#startTime } : {}),
      ...(this.#completionTime ? { completionTime: this.#completionTime } : {}),
      ...(this.#active.length ? { active: this.#active.length } : {}),
      ...(counts.succeeded ? { succeeded: counts.succeeded } : {}),
      ...(counts.failed ? { failed: counts.failed } : {}),
      terminating: 0,
      ready: readyCount(this.#active),
      uncountedTerminatedPods: {},
    }
  }
}

async function writeStatus(ctx: ControllerContext, caches: Caches, job: Job, status: JobStatus) {
  if (deepEqual(job.status ?? {}, status)) return undefined
  const written = await ctx.store.replace(JOBS, job, { ...job, status } as Job)
  await caches.jobs.seen(Number(written.metadata.resourceVersion))
  // a Job that just finished with a TTL: its deletion is due later
  const ttl = job.spec.ttlSecondsAfterFinished
  if (ttl !== undefined && ttl !== null && isFinished(written as Job))
    return { requeueAfter: ttl * 1000 }
  return undefined
}
