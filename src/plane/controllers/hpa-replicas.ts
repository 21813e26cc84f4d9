// The replica count one metric asks for, as Kubernetes' ReplicaCalculator (podautoscaler/
// replica_calculator.go) works it out. Values are in thousandths of the metric's unit (its
// MilliValue). Pods: deleted and Failed ones are left out; Pending ones, and for cpu the ones not
// ready or still starting (within the cpu initialization period, or their first window since
// turning Ready not yet measured), are unready: left out, and counted at 0 when the others ask
// for more (never held against a scale up's need). Pods without a sample are missing: counted
// at 100% of their request (at the target, for a plain value) on a way down, at 0 on a way up —
// whatever keeps the change conservative. A ratio within the tolerance (10%) keeps the count; a
// ratio that those assumptions turn around keeps it too. Expected failures are values.
import { parseQuantity, type Pod } from '../../api/index.ts'

export interface Sample {
  /** thousandths of the unit (millicores for cpu, millibytes for memory) */
  value: number
  timestamp: number
  windowMs: number
}

export interface CalcOptions {
  tolerance: number
  cpuInitializationMs: number
  initialReadinessDelayMs: number
  now: number
}

export type Calc = { ok: true; replicas: number; usage: number } | { ok: false; error: string }
export type UtilizationCalc =
  | { ok: true; replicas: number; utilization: number; rawAverage: number }
  | { ok: false; error: string }

const fail = (error: string) => ({ ok: false as const, error })
const NO_PODS = 'no pods returned by selector while calculating replica count'
const NO_READY_METRICS = 'did not receive metrics for targeted pods (pods might be unready)'

/** a quantity in thousandths of its unit, rounded up ("100m" → 100, "64Mi" → 67108864000) */
export function milliValue(q: string | number | undefined): number | undefined {
  const v = q === undefined ? undefined : parseQuantity(q)
  return v === undefined ? undefined : Math.ceil(v * 1000 - 1e-9)
}

const isReady = (pod: Pod) =>
  pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false

/** a cpu sample that says nothing yet: Kubernetes' groupPods for ResourceCPU */
function cpuUnready(pod: Pod, m: Sample, o: CalcOptions): boolean {
  const cond = pod.status?.conditions?.find((c) => c.type === 'Ready')
  const start = pod.status?.startTime ? Date.parse(pod.status.startTime) : NaN
  if (!cond || Number.isNaN(start)) return true
  const transition = Date.parse(cond.lastTransitionTime ?? '') || 0
  if (start + o.cpuInitializationMs > o.now)
    return cond.status === 'False' || m.timestamp < transition + m.windowMs
  return cond.status === 'False' && start + o.initialReadinessDelayMs > transition
}

function groupPods(pods: Pod[], metrics: Map<string, Sample>, resource: string, o: CalcOptions) {
  let ready = 0
  const unready = new Set<string>()
  const missing = new Set<string>()
  for (const pod of pods) {
    const name = pod.metadata.name!
    if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Failed') {
      metrics.delete(name)
      continue
    }
    const m = metrics.get(name)
    if (pod.status?.phase === 'Pending' || (m && resource === 'cpu' && cpuUnready(pod, m, o))) {
      unready.add(name)
      metrics.delete(name)
    } else if (!m) missing.add(name)
    else ready++
  }
  return { ready, unready, missing }
}

/** each pod's request of `resource` (milli), its containers' sum */
export function podRequests(
  pods: Pod[],
  resource: string,
): { ok: true; value: Map<string, number> } | { ok: false; error: string } {
  const out = new Map<string, number>()
  for (const pod of pods) {
    let sum = 0
    for (const c of pod.spec.containers) {
      const q = milliValue(c.resources?.requests?.[resource])
      if (q === undefined)
        return fail(
          `missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`,
        )
      sum += q
    }
    out.set(pod.metadata.name!, sum)
  }
  return { ok: true, value: out }
}

function utilizationOf(metrics: Map<string, Sample>, requests: Map<string, number>) {
  let total = 0
  let requested = 0
  let n = 0
  for (const [pod, m] of metrics) {
    const r = requests.get(pod)
    if (r === undefined) continue // a sample of a pod not selected
    total += m.value
    requested += r
    n++
  }
  if (requested === 0) return undefined
  return { utilization: Math.trunc((total * 100) / requested), rawAverage: Math.trunc(total / n) }
}

/** the count that brings the pods' average use to `target` percent of their requests */
export function resourceReplicas(
  current: number,
  target: number,
  o: { resource: string; pods: Pod[]; metrics: Map<string, Sample> } & CalcOptions,
): UtilizationCalc {
  const metrics = new Map(o.metrics)
  if (!o.pods.length) return fail(NO_PODS)
  const g = groupPods(o.pods, metrics, o.resource, o)
  const requests = podRequests(o.pods, o.resource)
  if (!requests.ok) return requests
  if (!metrics.size) return fail(NO_READY_METRICS)
  const first = utilizationOf(metrics, requests.value)
  if (!first) return fail('no metrics returned matched known pods')
  const ratio = first.utilization / target
  const keep = { ok: true as const, ...first, replicas: current }
  const withUnready = g.unready.size > 0 && ratio > 1
  if (!withUnready && !g.missing.size) {
    if (Math.abs(1 - ratio) <= o.tolerance) return keep
    return { ...keep, replicas: Math.ceil(ratio * g.ready) }
  }
  const fallback = Math.max(100, target)
  for (const pod of g.missing)
    if (ratio < 1) metrics.set(pod, sample(Math.trunc((requests.value.get(pod)! * fallback) / 100)))
    else if (ratio > 1) metrics.set(pod, sample(0))
  if (withUnready) for (const pod of g.unready) metrics.set(pod, sample(0))
  const next = utilizationOf(metrics, requests.value)!.utilization / target
  const replicas = turned(ratio, next, o.tolerance, current, metrics.size)
  return { ...keep, replicas }
}

const sample = (value: number): Sample => ({ value, timestamp: 0, windowMs: 0 })

/** the count for the assumed figures, or the current one when they turn the direction around */
function turned(ratio: number, next: number, tolerance: number, current: number, n: number) {
  if (Math.abs(1 - next) <= tolerance || (ratio < 1 && next > 1) || (ratio > 1 && next < 1))
    return current
  const replicas = Math.ceil(next * n)
  if ((next < 1 && replicas > current) || (next > 1 && replicas < current)) return current
  return replicas
}

const average = (metrics: Map<string, Sample>) =>
  Math.trunc([...metrics.values()].reduce((s, m) => s + m.value, 0) / metrics.size)

/** the count that brings the pods' average value to `target` (a raw usage or a pods metric) */
export function plainReplicas(
  current: number,
  target: number,
  o: { resource: string; pods: Pod[]; metrics: Map<string, Sample> } & CalcOptions,
): Calc {
  const metrics = new Map(o.metrics)
  if (!o.pods.length) return fail(NO_PODS)
  const g = groupPods(o.pods, metrics, o.resource, o)
  if (!metrics.size) return fail(NO_READY_METRICS)
  const usage = average(metrics)
  const ratio = usage / target
  const withUnready = g.unready.size > 0 && ratio > 1
  if (!withUnready && !g.missing.size) {
    if (Math.abs(1 - ratio) <= o.tolerance) return { ok: true, replicas: current, usage }
    return { ok: true, replicas: Math.ceil(ratio * g.ready), usage }
  }
  for (const pod of g.missing) metrics.set(pod, sample(ratio < 1 ? target : 0))
  if (withUnready) for (const pod of g.unready) metrics.set(pod, sample(0))
  const next = average(metrics) / target
  return { ok: true, replicas: turned(ratio, next, o.tolerance, current, metrics.size), usage }
}

/** an object's value against a target value: scaled by the ready pods (GetObjectMetricReplicas) */
export function objectReplicas(
  current: number,
  o: { value: number; target: number; pods: Pod[]; tolerance: number },
): Calc {
  const ratio = o.value / o.target
  if (current === 0) return { ok: true, replicas: Math.ceil(ratio), usage: o.value }
  if (Math.abs(1 - ratio) <= o.tolerance) return { ok: true, replicas: current, usage: o.value }
  if (!o.pods.length) return fail(`unable to calculate ready pods: ${NO_PODS}`)
  const ready = o.pods.filter((p) => p.status?.phase === 'Running' && isReady(p)).length
  return { ok: true, replicas: Math.ceil(ratio * ready), usage: o.value }
}

/** an object's value against a target per pod (GetObjectPerPodMetricReplicas) */
export function objectPerPodReplicas(
  statusReplicas: number,
  o: { value: number; target: number; tolerance: number },
): Calc {
  const ratio = o.value / (o.target * statusReplicas)
  const replicas =
    Math.abs(1 - ratio) > o.tolerance ? Math.ceil(o.value / o.target) : statusReplicas
  return { ok: true, replicas, usage: Math.ceil(o.value / Math.max(1, statusReplicas)) }
}
