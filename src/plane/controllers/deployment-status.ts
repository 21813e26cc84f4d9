// A Deployment's status as `kubectl rollout status` and `kubectl get deploy` read it, worked out
// from its ReplicaSets' pods (DeploymentController.syncRolloutStatus): the counts, the
// Available condition (at least replicas − maxUnavailable available), and Progressing —
// NewReplicaSetCreated / FoundNewReplicaSet when this reconcile made or found the new
// ReplicaSet, NewReplicaSetAvailable once complete, ReplicaSetUpdated while pods move,
// ProgressDeadlineExceeded (False) when nothing moved for progressDeadlineSeconds,
// DeploymentPaused / DeploymentResumed (Unknown) around a pause.
import type { Condition, Deployment, DeploymentStatus, ReplicaSet } from '../../api/index.ts'
import { fenceposts } from './deployment-rules.ts'

export interface PodCounts {
  active: number
  ready: number
  available: number
}

export interface StatusInput {
  all: ReplicaSet[]
  newRS: ReplicaSet | undefined
  counts: (rs: ReplicaSet) => PodCounts
  now: number
  /** what this reconcile did to the new ReplicaSet, if it made or found one */
  note?: 'NewReplicaSetCreated' | 'FoundNewReplicaSet'
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

function setCondition(conds: Condition[], c: Condition, now: number, touch: boolean): Condition[] {
  const old = conds.find((x) => x.type === c.type)
  if (old && old.status === c.status && old.reason === c.reason && !touch) return conds
  const at = stamp(now)
  const next: Condition = {
    ...c,
    lastUpdateTime: at,
    lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : at,
  }
  return [...conds.filter((x) => x.type !== c.type), next]
}

function sums(i: StatusInput) {
  const of = (rss: ReplicaSet[]) => rss.map(i.counts)
  const all = of(i.all)
  const add = (k: keyof PodCounts) => all.reduce((n, c) => n + c[k], 0)
  return {
    replicas: add('active'),
    updated: i.newRS ? i.counts(i.newRS).active : 0,
    ready: add('ready'),
    available: add('available'),
    specTotal: i.all.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0),
  }
}

export function deploymentStatus(
  d: Deployment,
  i: StatusInput,
): { status: DeploymentStatus; requeueAfter?: number } {
  const want = d.spec.replicas ?? 1
  const s = sums(i)
  const prev = d.status ?? {}
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: s.replicas,
    updatedReplicas: s.updated,
    readyReplicas: s.ready,
    availableReplicas: s.available,
    unavailableReplicas: Math.max(0, s.specTotal - s.available),
    ...(prev.collisionCount ? { collisionCount: prev.collisionCount } : {}),
  }
  let conds = prev.conditions ?? []
  const minAvailable = want - fenceposts(d).unavailable
  conds = setCondition(
    conds,
    s.available >= minAvailable
      ? {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
        }
      : {
          type: 'Available',
          status: 'False',
          reason: 'MinimumReplicasUnavailable',
          message: 'Deployment does not have minimum availability.',
        },
    i.now,
    false,
  )
  const r = progressing(d, i, { s, want, prev, conds })
  status.conditions = r.conds
  return { status, requeueAfter: r.requeueAfter }
}

function progressing(
  d: Deployment,
  i: StatusInput,
  o: { s: ReturnType<typeof sums>; want: number; prev: DeploymentStatus; conds: Condition[] },
): { conds: Condition[]; requeueAfter?: number } {
  const { s, want, prev } = o
  const rs = i.newRS?.metadata.name ?? ''
  const set = (status: Condition['status'], reason: string, message: string, touch = false) =>
    setCondition(o.conds, { type: 'Progressing', status, reason, message }, i.now, touch)
  const current = o.conds.find((c) => c.type === 'Progressing')
  if (d.spec.paused) return { conds: set('Unknown', 'DeploymentPaused', 'Deployment is paused') }
  if (current?.reason === 'DeploymentPaused')
    return { conds: set('Unknown', 'DeploymentResumed', 'Deployment is resumed') }
  if (i.note === 'NewReplicaSetCreated')
    return { conds: set('True', i.note, `Created new replica set "${rs}"`, true) }
  if (i.note === 'FoundNewReplicaSet')
    return { conds: set('True', i.note, `Found new replica set "${rs}"`, true) }
  if (s.updated === want && s.replicas === want && s.available === want)
    return {
      conds: set(
        'True',
        'NewReplicaSetAvailable',
        `ReplicaSet "${rs}" has successfully progressed.`,
      ),
    }
  const moved =
    s.updated > (prev.updatedReplicas ?? 0) ||
    s.ready > (prev.readyReplicas ?? 0) ||
    s.available > (prev.availableReplicas ?? 0) ||
    s.replicas < (prev.replicas ?? 0)
  if (moved || !current || current.reason === 'NewReplicaSetAvailable')
    return {
      conds: set('True', 'ReplicaSetUpdated', `ReplicaSet "${rs}" is progressing.`, true),
      requeueAfter: deadlineMs(d),
    }
  if (current.status !== 'True') return { conds: o.conds }
  const left = Date.parse(current.lastUpdateTime ?? '') + deadlineMs(d) - i.now
  if (left <= 0)
    return {
      conds: set(
        'False',
        'ProgressDeadlineExceeded',
        `ReplicaSet "${rs}" has timed out progressing.`,
      ),
    }
  return { conds: o.conds, requeueAfter: left }
}

const deadlineMs = (d: Deployment) => (d.spec.progressDeadlineSeconds ?? 600) * 1000
