// What controllers read off a pod, as Kubernetes' podutil does: active (not finished, not being
// deleted), ready (its Ready condition), available (ready for minReadySeconds), and the order
// in which surplus pods go (controller.ActivePodsWithRanks): unscheduled before scheduled,
// Pending before Unknown before Running, not ready before ready, ready more recently before
// ready longer, more restarts before fewer, newer before older.
import type { Pod } from '../../api/index.ts'

export function isActive(pod: Pod): boolean {
  const phase = pod.status?.phase
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp
}

function readyCondition(pod: Pod) {
  return pod.status?.conditions?.find((c) => c.type === 'Ready')
}

export function isReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True'
}

/** ms until a ready pod counts as available: 0 when it is, undefined when it is not ready */
export function availableIn(pod: Pod, minReadySeconds: number, now: number): number | undefined {
  const c = readyCondition(pod)
  if (c?.status !== 'True') return undefined
  if (!minReadySeconds) return 0
  const since = Date.parse(c.lastTransitionTime ?? '')
  if (Number.isNaN(since)) return 0
  return Math.max(0, since + minReadySeconds * 1000 - now)
}

export function isAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  return availableIn(pod, minReadySeconds, now) === 0
}

const phaseRank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 }

const restarts = (pod: Pod) =>
  (pod.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0)

const time = (s: string | undefined) => (s ? Date.parse(s) || 0 : 0)

/** negative when `a` should be deleted before `b` */
export function deleteFirst(a: Pod, b: Pod): number {
  const assigned = Number(!!a.spec?.nodeName) - Number(!!b.spec?.nodeName)
  if (assigned) return assigned
  const phase = (phaseRank[a.status?.phase ?? ''] ?? 0) - (phaseRank[b.status?.phase ?? ''] ?? 0)
  if (phase) return phase
  const ready = Number(isReady(a)) - Number(isReady(b))
  if (ready) return ready
  if (isReady(a)) {
    const since =
      time(readyCondition(b)?.lastTransitionTime) - time(readyCondition(a)?.lastTransitionTime)
    if (since) return since
  }
  const restarted = restarts(b) - restarts(a)
  if (restarted) return restarted
  const age = time(b.metadata.creationTimestamp) - time(a.metadata.creationTimestamp)
  if (age) return age
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? 1 : -1
}
