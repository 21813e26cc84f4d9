// The arithmetic of Deployments, as Kubernetes' deployment util: the pod-template-hash, template
// equality ignoring it, revisions, maxSurge / maxUnavailable from ints or percentages (surge
// rounded up, unavailable down, never both 0), and how far a rolling update may scale the new
// ReplicaSet up. Pure functions.
import {
  deepEqual,
  type Deployment,
  type IntOrString,
  type PodTemplateSpec,
  type ReplicaSet,
} from '../../api/index.ts'

export const HASH_LABEL = 'pod-template-hash'
export const REVISION = 'deployment.kubernetes.io/revision'
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas'
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas'
/** annotations of a Deployment that are not copied to its ReplicaSets (nor back by rollout undo) */
const NOT_COPIED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  'deployment.kubernetes.io/revision-history',
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
])
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789'

/** JSON with sorted keys: the same template always hashes the same */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`
  return JSON.stringify(v)
}

/** FNV-1a (32 bit) of the template and collisionCount, its decimal digits spelt as
 * rand.SafeEncodeString spells them (controller.ComputeHash) */
export function templateHash(t: PodTemplateSpec, collisionCount = 0): string {
  let h = 0x811c9dc5
  const text = canonical(t) + (collisionCount ? String(collisionCount) : '')
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return [...String(h)].map((c) => ALPHANUMS[c.charCodeAt(0) % ALPHANUMS.length]).join('')
}

/** without null, {} and [] anywhere: what a Go client decodes as the zero value it sends back
 * (kubectl rollout undo sends `creationTimestamp: null`, `resources: {}`) */
function semantic(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(semantic) : undefined
  if (v === null) return undefined
  if (typeof v !== 'object') return v
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v)) {
    const y = semantic(x)
    if (y !== undefined) out[k] = y
  }
  return Object.keys(out).length ? out : undefined
}

function withoutHash(t: PodTemplateSpec | undefined): unknown {
  if (!t) return undefined
  const labels = { ...t.metadata?.labels }
  delete labels[HASH_LABEL]
  return semantic({ ...t, metadata: { ...t.metadata, labels } })
}

/** the two templates are the same but for the pod-template-hash label, empty and absent
 * alike as Kubernetes' semantic equality has them (EqualIgnoreHash) */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined) {
  return deepEqual(withoutHash(a), withoutHash(b))
}

export function revisionOf(rs: ReplicaSet): number {
  const n = Number(rs.metadata.annotations?.[REVISION] ?? 0)
  return Number.isSafeInteger(n) && n > 0 ? n : 0
}

/** the Deployment's annotations a ReplicaSet of it carries */
export function copiedAnnotations(d: Deployment): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {}))
    if (!NOT_COPIED.has(k)) out[k] = v
  return out
}

/** an int, or a percentage of `total` rounded up or down (intstr.GetScaledValueFromIntOrPercent) */
export function scaled(v: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (v === undefined) return 0
  if (typeof v === 'number') return v
  const pct = Number(String(v).replace(/%$/, ''))
  const x = (pct * total) / 100
  return roundUp ? Math.ceil(x) : Math.floor(x)
}

/** maxSurge and maxUnavailable of a RollingUpdate Deployment (ResolveFenceposts) */
export function fenceposts(d: Deployment): { surge: number; unavailable: number } {
  const replicas = d.spec.replicas ?? 1
  const ru = d.spec.strategy?.rollingUpdate
  if (d.spec.strategy?.type === 'Recreate') return { surge: 0, unavailable: replicas }
  const surge = scaled(ru?.maxSurge ?? '25%', replicas, true)
  const unavailable = scaled(ru?.maxUnavailable ?? '25%', replicas, false)
  return { surge, unavailable: surge === 0 && unavailable === 0 ? 1 : unavailable }
}

const specReplicas = (rs: ReplicaSet) => rs.spec.replicas ?? 0

/** the new ReplicaSet's replicas for the next step of a rolling update (NewRSNewReplicas) */
export function newReplicasForRolling(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet) {
  const replicas = d.spec.replicas ?? 1
  const current = all.reduce((n, rs) => n + specReplicas(rs), 0)
  const maxTotal = replicas + fenceposts(d).surge
  if (current >= maxTotal) return specReplicas(newRS)
  const up = Math.min(maxTotal - current, replicas - specReplicas(newRS))
  return specReplicas(newRS) + Math.max(0, up)
}
