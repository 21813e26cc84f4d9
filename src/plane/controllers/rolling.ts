// The two steps of a RollingUpdate (rolling.go): scale the new ReplicaSet up as far as
// replicas + maxSurge allows (down to replicas if above), else scale old ReplicaSets down while
// replicas − maxUnavailable stay available — first the old pods that are not available
// (cleanupUnhealthyReplicas), then available ones, oldest ReplicaSet first. Availability is
// counted from pods, and never more than a ReplicaSet's replicas (the surplus is going).
import type { ReplicaSet } from '../../api/index.ts'
import type { Rollout } from './deployment.ts'
import { fenceposts, newReplicasForRolling } from './deployment-rules.ts'

const spec = (rs: ReplicaSet) => rs.spec.replicas ?? 0
const oldestFirst = (a: ReplicaSet, b: ReplicaSet) =>
  Date.parse(a.metadata.creationTimestamp ?? '') - Date.parse(b.metadata.creationTimestamp ?? '') ||
  (a.metadata.name! < b.metadata.name! ? -1 : 1)

/** scales the new ReplicaSet one step; true when it wrote */
export async function rollNew(r: Rollout, old: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  const want = r.d.spec.replicas ?? 1
  if (spec(newRS) === want) return false
  const next = spec(newRS) > want ? want : newReplicasForRolling(r.d, [...old, newRS], newRS)
  if (next === spec(newRS)) return false
  await r.scale(newRS, next)
  return true
}

/** scales old ReplicaSets down as far as availability allows; true when it wrote */
export async function rollOld(r: Rollout, old: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  const active = old.filter((rs) => spec(rs) > 0).sort(oldestFirst)
  if (!active.length) return false
  const want = r.d.spec.replicas ?? 1
  const minAvailable = want - fenceposts(r.d).unavailable
  const available = (rs: ReplicaSet) => Math.min(spec(rs), r.counts(rs).available)
  const all = [...active, newRS]
  const total = all.reduce((n, rs) => n + spec(rs), 0)
  const newUnavailable = spec(newRS) - available(newRS)
  let budget = total - minAvailable - newUnavailable
  if (budget <= 0) return false
  let moved = false
  // first the old pods that are not available: removing them costs no availability
  for (let i = 0; i < active.length && budget > 0; i++) {
    const unhealthy = spec(active[i]) - available(active[i])
    if (unhealthy <= 0) continue
    const n = Math.min(budget, unhealthy)
    active[i] = await r.scale(active[i], spec(active[i]) - n)
    budget -= n
    moved = true
  }
  let spare = [...active, newRS].reduce((n, rs) => n + available(rs), 0) - minAvailable
  for (let i = 0; i < active.length && spare > 0; i++) {
    const n = Math.min(spec(active[i]), spare)
    if (n <= 0) continue
    active[i] = await r.scale(active[i], spec(active[i]) - n)
    spare -= n
    moved = true
  }
  return moved
}
