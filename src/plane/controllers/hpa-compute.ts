// The replica count an autoscaler's metrics ask for (Kubernetes' computeReplicasForMetrics): each
// metric of the spec read from the MetricsSource and worked out by the calculator (hpa-replicas.ts),
// the largest proposal wins; its status in spec order (status.currentMetrics). A metric that
// fails says why as a ScalingActive=False condition and a Warning Event with Kubernetes' reason
// (FailedGetResourceMetric, FailedGetPodsMetric, FailedGetObjectMetric); when every metric
// failed — or some did and the others would scale down — there is no proposal.
import {
  labelSelectorRequirements,
  type HorizontalPodAutoscaler,
  type MetricSpec,
  type MetricStatus,
  type Pod,
  type Requirement,
} from '../../api/index.ts'
import { milliQuantity, type MetricsSource } from './hpa-metrics.ts'
import {
  milliValue,
  objectPerPodReplicas,
  objectReplicas,
  plainReplicas,
  resourceReplicas,
  type CalcOptions,
  type Sample,
} from './hpa-replicas.ts'

export interface Problem {
  reason: string
  /** what went wrong, as the Event says it */
  error: string
}

type One =
  { ok: true; replicas: number; metric: string; status: MetricStatus } | (Problem & { ok: false })

export interface Proposal {
  /** -1: none (every metric failed, or some did and the rest would scale down) */
  replicas: number
  /** the metric that asked for the most, for the rescale reason */
  metric: string
  statuses: MetricStatus[]
  /** the first failure, if any */
  problem?: Problem & { count: number }
}

export interface ComputeInput {
  hpa: HorizontalPodAutoscaler
  specReplicas: number
  statusReplicas: number
  selector: Requirement[]
  pods: Pod[]
  metrics: MetricsSource
  calc: CalcOptions
}

const bad = (reason: string, error: string) => ({ ok: false as const, reason, error })

export async function computeReplicas(i: ComputeInput): Promise<Proposal> {
  const specs = i.hpa.spec.metrics ?? []
  const statuses: MetricStatus[] = []
  let best = { replicas: 0, metric: '' }
  let problem: Proposal['problem']
  for (const spec of specs) {
    const one = await computeOne(i, spec)
    if (!one.ok) {
      problem ??= { reason: one.reason, error: one.error, count: 0 }
      problem.count++
      continue
    }
    statuses.push(one.status)
    if (best.replicas === 0 || one.replicas > best.replicas) best = one
  }
  if (problem && (problem.count >= specs.length || best.replicas < i.specReplicas))
    return { replicas: -1, metric: '', statuses, problem }
  return { ...best, statuses, problem }
}

async function computeOne(i: ComputeInput, spec: MetricSpec): Promise<One> {
  switch (spec.type) {
    case 'Resource':
      return resourceMetric(i, spec)
    case 'Pods':
      return podsMetric(i, spec)
    case 'Object':
      return objectMetric(i, spec)
    default:
      return bad('InvalidMetricSourceType', `unknown metric source type "${spec.type}"`)
  }
}

async function resourceMetric(i: ComputeInput, spec: MetricSpec): Promise<One> {
  const { name, target } = spec.resource!
  const failed = (e: string) => bad('FailedGetResourceMetric', e)
  const namespace = i.hpa.metadata.namespace!
  const samples = new Map<string, Sample>()
  for (const p of await i.metrics.podMetrics(namespace, i.selector)) {
    const per = p.containers.map((c) => (name === 'cpu' ? c.cpuMillicores : c.memoryBytes * 1000))
    samples.set(p.pod, { value: per.reduce((a, b) => a + b, 0), ...at(p) })
  }
  const what = target.averageValue !== undefined ? 'usage' : 'utilization'
  if (!samples.size)
    return failed(
      `failed to get ${name} ${what}: unable to get metrics for resource ${name}: no metrics returned from resource metrics API`,
    )
  const o = { resource: name, pods: i.pods, metrics: samples, ...i.calc }
  if (target.averageValue !== undefined) {
    const r = plainReplicas(i.specReplicas, milliValue(target.averageValue)!, o)
    if (!r.ok) return failed(`failed to get ${name} usage: ${r.error}`)
    const current = { averageValue: milliQuantity(r.usage) }
    const status = { type: 'Resource' as const, resource: { name, current } }
    return { ok: true, replicas: r.replicas, metric: `${name} resource`, status }
  }
  if (target.averageUtilization === undefined)
    return failed(
      'invalid resource metric source: neither an average utilization target nor an average value (usage) target was set',
    )
  const r = resourceReplicas(i.specReplicas, target.averageUtilization, o)
  if (!r.ok) return failed(`failed to get ${name} utilization: ${r.error}`)
  const current = { averageUtilization: r.utilization, averageValue: milliQuantity(r.rawAverage) }
  return {
    ok: true,
    replicas: r.replicas,
    metric: `${name} resource utilization (percentage of request)`,
    status: { type: 'Resource', resource: { name, current } },
  }
}

const at = (s: { timestamp: number; windowMs: number }) => ({
  timestamp: s.timestamp,
  windowMs: s.windowMs,
})

function metricSelector(spec: {
  metric: { selector?: Parameters<typeof labelSelectorRequirements>[0] }
}) {
  return spec.metric.selector
    ? labelSelectorRequirements(spec.metric.selector)
    : { ok: true as const, value: [] }
}

async function podsMetric(i: ComputeInput, spec: MetricSpec): Promise<One> {
  const src = spec.pods!
  const name = src.metric.name
  const failed = (e: string) => bad('FailedGetPodsMetric', e)
  const sel = metricSelector(src)
  if (!sel.ok) return failed(sel.error)
  const found = await i.metrics.podCustomMetric(name, {
    namespace: i.hpa.metadata.namespace!,
    selector: i.selector,
    metricSelector: sel.value,
  })
  const fetch = 'unable to fetch metrics from custom metrics API'
  if (!found)
    return failed(
      `unable to get metric ${name}: ${fetch}: the server could not find the metric ${name} for pods`,
    )
  if (!found.length)
    return failed(`unable to get metric ${name}: no metrics returned from custom metrics API`)
  const samples = new Map(
    found.map((v) => [v.pod, { value: Math.round(v.value * 1000), ...at(v) }]),
  )
  const r = plainReplicas(i.specReplicas, milliValue(src.target.averageValue)!, {
    resource: '',
    pods: i.pods,
    metrics: samples,
    ...i.calc,
  })
  if (!r.ok) return failed(r.error)
  const current = { averageValue: milliQuantity(r.usage) }
  const status = { type: 'Pods' as const, pods: { metric: src.metric, current } }
  return { ok: true, replicas: r.replicas, metric: `pods metric ${name}`, status }
}

async function objectMetric(i: ComputeInput, spec: MetricSpec): Promise<One> {
  const src = spec.object!
  const { name } = src.metric
  const ref = src.describedObject
  const namespace = i.hpa.metadata.namespace!
  const failed = (e: string) => bad('FailedGetObjectMetric', e)
  const sel = metricSelector(src)
  if (!sel.ok) return failed(sel.error)
  const found = await i.metrics.objectMetric(name, {
    namespace,
    object: ref,
    metricSelector: sel.value,
  })
  if (!found)
    // Kubernetes' own word order ("unable to get metric %s: %v on %s %s/%s")
    return failed(
      `unable to get metric ${name}: ${ref.kind} on ${namespace} ${ref.name}/unable to fetch metrics from custom metrics API: the server could not find the metric ${name} for ${ref.kind} ${ref.name}`,
    )
  const value = Math.round(found.value * 1000)
  const t = src.target
  const tolerance = i.calc.tolerance
  const perPod = t.value === undefined
  const r = perPod
    ? objectPerPodReplicas(i.statusReplicas, {
        value,
        target: milliValue(t.averageValue)!,
        tolerance,
      })
    : objectReplicas(i.specReplicas, {
        value,
        target: milliValue(t.value)!,
        pods: i.pods,
        tolerance,
      })
  if (!r.ok) return failed(r.error)
  const current = perPod
    ? { averageValue: milliQuantity(r.usage) }
    : { value: milliQuantity(r.usage) }
  const status = {
    type: 'Object' as const,
    object: { describedObject: ref, metric: src.metric, current },
  }
  return { ok: true, replicas: r.replicas, metric: `${ref.kind} metric ${name}`, status }
}
