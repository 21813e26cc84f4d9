// What the Job controller reads off a Job's pods, as Kubernetes' job controller does: finished
// pods counted (a pod deleted before it succeeded counts as failed), the back-off before the
// next pod after failures (10 s doubling per failure since the last success, at most 6 min,
// from the last failure's finish time), the OnFailure restarts that count against backoffLimit,
// and the conditions (SuccessCriteriaMet then Complete; FailureTarget then Failed).
//
// Counting without tracking finalizers: a pod here is deleted at once (no graceful delete for
// the job controller to see), so Kubernetes' finalizer + uncountedTerminatedPods protocol
// would cost two more writes per pod. Instead the counts are the finished pods that exist plus
// a Ledger of those that are gone: seeded from the Job's status the first time (status minus
// what exists, so a restart never counts a pod twice) and told of each finished pod the
// informer sees deleted (so a deleted pod is never lost while the plane runs).
import type { Condition, ConditionStatus, Job, Pod } from '../../api/index.ts'
import { isActive, isReady } from './pod-state.ts'

export const BACKOFF_BASE_MS = 10_000
export const BACKOFF_MAX_MS = 360_000

const succeeded = (p: Pod) => p.status?.phase === 'Succeeded'
const failed = (p: Pod) => p.status?.phase === 'Failed'

export interface Counts {
  succeeded: number
  failed: number
}

/** the pods of each Job that are gone, by the Job's uid */
export class Ledger {
  #gone = new Map<string, Counts>()
  /** pods this controller deleted that must not count (surplus, suspended) */
  #uncounted = new Set<string>()

  /** counts of the Job: its finished pods plus those gone */
  counts(job: Job, pods: Pod[]): Counts {
    const gone = this.#seed(job, pods)
    return {
      succeeded: pods.filter(succeeded).length + gone.succeeded,
      failed: pods.filter(failed).length + gone.failed,
    }
  }

  #seed(job: Job, pods: Pod[]): Counts {
    let gone = this.#gone.get(job.metadata.uid!)
    if (!gone) {
      gone = {
        succeeded: Math.max(0, (job.status?.succeeded ?? 0) - pods.filter(succeeded).length),
        failed: Math.max(0, (job.status?.failed ?? 0) - pods.filter(failed).length),
      }
      this.#gone.set(job.metadata.uid!, gone)
    }
    return gone
  }

  /** the controller deletes this pod and it must not count */
  skip(pod: Pod): void {
    this.#uncounted.add(pod.metadata.uid!)
  }

  /** the informer saw `pod` of `job` deleted; `others` are the Job's pods left */
  gone(job: Job, pod: Pod, others: Pod[]): void {
    const g = this.#seed(job, [...others, pod])
    if (this.#uncounted.delete(pod.metadata.uid!) && isActive(pod)) return
    if (succeeded(pod)) g.succeeded++
    else g.failed++
  }

  forget(uid: string): void {
    this.#gone.delete(uid)
  }
}

const time = (s: string | undefined) => (s ? Date.parse(s) || 0 : 0)

/** when a pod finished (Kubernetes' getFinishedTime) */
export function finishedAt(pod: Pod): number {
  const states = pod.status?.containerStatuses ?? []
  const ends = states.map((s) => time(s.state?.terminated?.finishedAt))
  if (ends.length && ends.every((t) => t > 0)) return Math.max(...ends)
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')
  if (ready?.status === 'False' && ready.lastTransitionTime) return time(ready.lastTransitionTime)
  return time(pod.metadata.creationTimestamp)
}

/** ms to wait before the next pod, after the failures since the last success (0: none) */
export function backoffLeft(pods: Pod[], now: number): number {
  const lastSuccess = Math.max(0, ...pods.filter(succeeded).map(finishedAt))
  const since = pods.filter((p) => failed(p) && finishedAt(p) > lastSuccess).map(finishedAt)
  if (!since.length) return 0
  const delay = Math.min(BACKOFF_BASE_MS * 2 ** (since.length - 1), BACKOFF_MAX_MS)
  return Math.max(0, Math.max(...since) + delay - now)
}

/** restartPolicy OnFailure: the restarts of running and pending pods reach backoffLimit */
export function pastBackoffLimitOnFailure(job: Job, pods: Pod[]): boolean {
  if (job.spec.template?.spec?.restartPolicy !== 'OnFailure') return false
  const restarts = pods
    .filter((p) => p.status?.phase === 'Running' || p.status?.phase === 'Pending')
    .flatMap((p) => p.status?.containerStatuses ?? [])
    .reduce((n, s) => n + (s.restartCount ?? 0), 0)
  const limit = job.spec.backoffLimit ?? 6
  return limit === 0 ? restarts > 0 : restarts >= limit
}

export const readyCount = (pods: Pod[]) => pods.filter((p) => isActive(p) && isReady(p)).length

export function condition(job: Job, type: string): Condition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True')
}

export function isFinished(job: Job): boolean {
  return !!(condition(job, 'Complete') ?? condition(job, 'Failed'))
}

/** the list with a condition of `type` set to `status` (as ensureJobConditionStatus: a False
 * one is only ever an update); the same list when nothing changed */
export function ensureCondition(
  list: Condition[],
  c: { type: string; status: ConditionStatus; reason: string; message: string },
  now: string,
): Condition[] {
  const i = list.findIndex((x) => x.type === c.type)
  const next = { ...c, lastProbeTime: now, lastTransitionTime: now }
  if (i < 0) return c.status === 'False' ? list : [...list, next]
  const old = list[i]
  if (old.status === c.status && old.reason === c.reason && old.message === c.message) return list
  return list.map((x, j) => (j === i ? next : x))
}
