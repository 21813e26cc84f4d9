// From the count the metrics ask for to the count written, as Kubernetes' HPA normalizes it —
// the part that keeps an autoscaler from flapping. Every recommendation is remembered with its
// time; a scale down takes the highest recommendation of its stabilization window (default 300 s)
// and a scale up the lowest of its own (default 0), so a metric that dips for a moment does not
// remove pods. Without spec.behavior: that window for scale down, and a scale up of at most
// max(2 × current, 4). With it: each direction's policies (at most `value` pods, or percent of the
// count at the start of the period, over `periodSeconds`, counting the changes already made in
// it; selectPolicy Max takes the policy allowing the larger change, Min the smaller, Disabled
// none), then min/max. Conditions AbleToScale (ScaleUpStabilized / ScaleDownStabilized /
// ReadyForNewScale) and ScalingLimited (TooManyReplicas, TooFewReplicas, ScaleUpLimit,
// ScaleDownLimit, DesiredWithinRange) say which rule decided.
import type { HorizontalPodAutoscalerBehavior, HPAScalingRules } from '../../api/index.ts'

interface Stamped {
  replicas: number
  at: number
}

/** what one autoscaler remembers between syncs (Kubernetes keeps it in memory too) */
export interface History {
  recommendations: Stamped[]
  /** replicas added (up) or removed (down) by each rescale */
  ups: Stamped[]
  downs: Stamped[]
}

export interface Verdict {
  replicas: number
  able: { reason: string; message: string }
  limited: { status: 'True' | 'False'; reason: string; message: string }
}

export interface Normalize {
  current: number
  desired: number
  min: number
  max: number
  now: number
  /** the controller's own scale-down window, for behavior without one (ms) */
  downscaleWindowMs: number
}

const UP = {
  reason: 'ScaleUpStabilized',
  message:
    'recent recommendations were lower than current one, applying the lowest recent recommendation',
}
const DOWN = {
  reason: 'ScaleDownStabilized',
  message:
    'recent recommendations were higher than current one, applying the highest recent recommendation',
}
const READY = { reason: 'ReadyForNewScale', message: 'recommended size matches current size' }
const limits = {
  TooManyReplicas: 'the desired replica count is more than the maximum replica count',
  TooFewReplicas: 'the desired replica count is less than the minimum replica count',
  ScaleUpLimit: 'the desired replica count is increasing faster than the maximum scale rate',
  ScaleDownLimit: 'the desired replica count is decreasing faster than the maximum scale rate',
  DesiredWithinRange: 'the desired count is within the acceptable range',
}
type Limit = keyof typeof limits

export const newHistory = (current: number, now: number): History => ({
  recommendations: [{ replicas: current, at: now }],
  ups: [],
  downs: [],
})

/** records `desired` in place of the oldest sample past `keepMs`, or beside the others */
function remember(h: History, desired: number, now: number, keepMs: number): void {
  const old = h.recommendations.findIndex((r) => r.at < now - keepMs)
  if (old >= 0) h.recommendations[old] = { replicas: desired, at: now }
  else h.recommendations.push({ replicas: desired, at: now })
}

function verdict(
  replicas: number,
  stabilized: number,
  desired: number,
  limit: Limit,
  able = READY,
) {
  return {
    replicas,
    able: stabilized !== desired ? able : READY,
    limited: {
      status: replicas === stabilized ? ('False' as const) : ('True' as const),
      reason: limit,
      message: limits[limit],
    },
  }
}

/** without spec.behavior (normalizeDesiredReplicas) */
export function normalizeWithoutBehavior(h: History, n: Normalize): Verdict {
  let stabilized = n.desired
  for (const r of h.recommendations)
    if (r.at >= n.now - n.downscaleWindowMs) stabilized = Math.max(stabilized, r.replicas)
  remember(h, n.desired, n.now, n.downscaleWindowMs)
  const upLimit = Math.max(2 * n.current, 4)
  const [maxAllowed, over]: [number, Limit] =
    n.max > upLimit ? [upLimit, 'ScaleUpLimit'] : [n.max, 'TooManyReplicas']
  if (stabilized < n.min) return verdict(n.min, stabilized, n.desired, 'TooFewReplicas', DOWN)
  if (stabilized > maxAllowed) return verdict(maxAllowed, stabilized, n.desired, over, DOWN)
  return verdict(stabilized, stabilized, n.desired, 'DesiredWithinRange', DOWN)
}

const windowMs = (r: HPAScalingRules | undefined, fallbackMs: number) =>
  r?.stabilizationWindowSeconds === undefined ? fallbackMs : r.stabilizationWindowSeconds * 1000

/** with spec.behavior (normalizeDesiredReplicasWithBehaviors) */
export function normalizeWithBehavior(
  h: History,
  b: HorizontalPodAutoscalerBehavior,
  n: Normalize,
): Verdict {
  const upMs = windowMs(b.scaleUp, 0)
  const downMs = windowMs(b.scaleDown, n.downscaleWindowMs)
  let up = n.desired
  let down = n.desired
  for (const r of h.recommendations) {
    if (r.at > n.now - upMs) up = Math.min(up, r.replicas)
    if (r.at > n.now - downMs) down = Math.max(down, r.replicas)
  }
  const stabilized = Math.min(Math.max(n.current, up), down)
  remember(h, n.desired, n.now, Math.max(upMs, downMs))
  const able = n.desired >= n.current ? UP : DOWN
  if (stabilized > n.current) {
    const limit = Math.max(scaleUpLimit(h, b.scaleUp, n), n.current)
    const [allowed, why]: [number, Limit] =
      n.max > limit ? [limit, 'ScaleUpLimit'] : [n.max, 'TooManyReplicas']
    if (stabilized > allowed) return verdict(allowed, stabilized, n.desired, why, able)
  } else if (stabilized < n.current) {
    const limit = Math.min(scaleDownLimit(h, b.scaleDown, n), n.current)
    const [allowed, why]: [number, Limit] =
      n.min < limit ? [limit, 'ScaleDownLimit'] : [n.min, 'TooFewReplicas']
    if (stabilized < allowed) return verdict(allowed, stabilized, n.desired, why, able)
  }
  return verdict(stabilized, stabilized, n.desired, 'DesiredWithinRange', able)
}

/** replicas added (or removed) within the last `periodSeconds` */
function changedWithin(events: Stamped[], periodSeconds: number, now: number): number {
  return events.filter((e) => e.at > now - periodSeconds * 1000).reduce((s, e) => s + e.replicas, 0)
}

function scaleUpLimit(h: History, r: HPAScalingRules | undefined, n: Normalize): number {
  if (r?.selectPolicy === 'Disabled') return n.current
  const pick = r?.selectPolicy === 'Min' ? Math.min : Math.max
  let result = r?.selectPolicy === 'Min' ? Infinity : -Infinity
  for (const p of r?.policies ?? []) {
    const start =
      n.current -
      changedWithin(h.ups, p.periodSeconds, n.now) +
      changedWithin(h.downs, p.periodSeconds, n.now)
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100))
    result = pick(result, proposed)
  }
  return Number.isFinite(result) ? result : n.current
}

function scaleDownLimit(h: History, r: HPAScalingRules | undefined, n: Normalize): number {
  if (r?.selectPolicy === 'Disabled') return n.current
  // for scaling down the smallest change (Min) is the highest count
  const pick = r?.selectPolicy === 'Min' ? Math.max : Math.min
  let result = r?.selectPolicy === 'Min' ? -Infinity : Infinity
  for (const p of r?.policies ?? []) {
    const start =
      n.current -
      changedWithin(h.ups, p.periodSeconds, n.now) +
      changedWithin(h.downs, p.periodSeconds, n.now)
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100))
    result = pick(result, proposed)
  }
  return Number.isFinite(result) ? result : n.current
}

/** remembers a rescale for the policies' periods (storeScaleEvent); none without behavior */
export function recordRescale(
  h: History,
  b: HorizontalPodAutoscalerBehavior | undefined,
  o: { from: number; to: number; now: number },
): void {
  if (!b) return
  const longest = Math.max(
    0,
    ...[...(b.scaleUp?.policies ?? []), ...(b.scaleDown?.policies ?? [])].map(
      (p) => p.periodSeconds,
    ),
  )
  const fresh = (e: Stamped) => e.at > o.now - longest * 1000
  h.ups = h.ups.filter(fresh)
  h.downs = h.downs.filter(fresh)
  if (o.to > o.from) h.ups.push({ replicas: o.to - o.from, at: o.now })
  else if (o.to < o.from) h.downs.push({ replicas: o.from - o.to, at: o.now })
}
