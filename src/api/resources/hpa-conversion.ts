// HorizontalPodAutoscaler between autoscaling/v1 (served) and autoscaling/v2 (stored), as
// Kubernetes' pkg/apis/autoscaling/v1/conversion.go does it:
// - spec: targetCPUUtilizationPercentage N ↔ the metric {Resource cpu, Utilization N}. Every other
//   metric rides in the annotation autoscaling.alpha.kubernetes.io/metrics (v1 MetricSpec JSON),
//   placed before the CPU metric on the way back. A v1 object with neither gets CPU at 80 %.
// - status: currentCPUUtilizationPercentage ↔ the cpu Utilization current metric; all current
//   metrics ride in …/current-metrics and the conditions in …/conditions.
// - spec.behavior rides in …/behavior (as v2 JSON; Kubernetes writes its internal Go field names).
// v2 never shows these annotations. Malformed annotation JSON in a v1 body is an error value.
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerV1 } from '../types/index.ts'
import { isObject, type JsonObject } from '../json/index.ts'
import type { ParseResult } from '../selectors/index.ts'

export const METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics'
export const CURRENT_METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics'
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions'
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior'
const roundTrip = [
  METRICS_ANNOTATION,
  CURRENT_METRICS_ANNOTATION,
  CONDITIONS_ANNOTATION,
  BEHAVIOR_ANNOTATION,
]

/** the default target of a v1 HPA without one (autoscaling.DefaultCPUUtilization) */
export const DEFAULT_CPU_UTILIZATION = 80

type Json = JsonObject
const obj = (v: unknown): Json => (isObject(v) ? v : {})
const defined = (o: Json): Json =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))
const isCpuUtilization = (m: Json) =>
  m.type === 'Resource' &&
  obj(m.resource).name === 'cpu' &&
  obj(obj(m.resource).target).averageUtilization !== undefined

/**
 * v2 metric source (Resource, ContainerResource) → v1's flat fields: `target` (or `current`)
 * becomes targetAverageUtilization / targetAverageValue (currentAverage…); other types as they are
 */
const flatToV1 =
  (field: 'target' | 'current') =>
  (src: unknown): unknown => {
    if (!isObject(src) || !isObject(src[field])) return src
    const { [field]: nested, ...rest } = src as Json & Record<typeof field, Json>
    return defined({
      ...rest,
      [`${field}AverageUtilization`]: nested.averageUtilization,
      [`${field}AverageValue`]: nested.averageValue,
    })
  }
const sourceToV1 = flatToV1('target')
const currentToV1 = flatToV1('current')

function sourceFromV1(src: unknown): unknown {
  if (!isObject(src)) return src
  const { targetAverageUtilization: u, targetAverageValue: v, ...rest } = src
  return {
    ...rest,
    target: defined({
      type: u === undefined ? 'AverageValue' : 'Utilization',
      averageUtilization: u,
      averageValue: v,
    }),
  }
}

function currentFromV1(src: unknown): unknown {
  if (!isObject(src)) return src
  const { currentAverageUtilization: u, currentAverageValue: v, ...rest } = src
  return { ...rest, current: defined({ averageUtilization: u, averageValue: v }) }
}

const resourceKeys = ['resource', 'containerResource']
const mapSources = (m: unknown, f: (src: unknown) => unknown): unknown =>
  isObject(m)
    ? Object.fromEntries(
        Object.entries(m).map(([k, v]) => [k, resourceKeys.includes(k) ? f(v) : v]),
      )
    : m

const list = (v: unknown): Json[] => (Array.isArray(v) ? v.map(obj) : [])

/** the object as autoscaling/v1 serves it */
export function hpaToV1(hpa: HorizontalPodAutoscaler): HorizontalPodAutoscalerV1 {
  const { spec: specIn, status: statusIn, ...rest } = hpa as unknown as Json
  const spec = obj(specIn)
  const metrics = list(spec.metrics)
  const cpu = metrics.find(isCpuUtilization)
  const annotations = withoutRoundTrip(obj(obj(rest.metadata).annotations))
  const others = metrics.filter((m) => !isCpuUtilization(m))
  if (others.length)
    annotations[METRICS_ANNOTATION] = JSON.stringify(others.map((m) => mapSources(m, sourceToV1)))
  if (spec.behavior !== undefined) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(spec.behavior)
  const out: Json = {
    ...rest,
    apiVersion: 'autoscaling/v1',
    spec: defined({
      scaleTargetRef: spec.scaleTargetRef,
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      targetCPUUtilizationPercentage: cpu && obj(obj(cpu.resource).target).averageUtilization,
    }),
  }
  if (statusIn !== undefined) out.status = statusToV1(obj(statusIn), annotations)
  out.metadata = withAnnotations(obj(rest.metadata), annotations)
  return out as unknown as HorizontalPodAutoscalerV1
}

function statusToV1(status: Json, annotations: Json): Json {
  const current = list(status.currentMetrics)
  const conditions = list(status.conditions)
  if (current.length)
    annotations[CURRENT_METRICS_ANNOTATION] = JSON.stringify(
      current.map((m) => mapSources(m, currentToV1)),
    )
  if (conditions.length) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(conditions)
  let cpu: unknown
  for (const m of current)
    if (m.type === 'Resource' && obj(m.resource).name === 'cpu')
      cpu = obj(obj(m.resource).current).averageUtilization ?? cpu
  return defined({
    observedGeneration: status.observedGeneration,
    lastScaleTime: status.lastScaleTime,
    currentReplicas: status.currentReplicas ?? 0,
    desiredReplicas: status.desiredReplicas ?? 0,
    currentCPUUtilizationPercentage: cpu,
  })
}

/** a v1 object (as a client sent it) as autoscaling/v2 stores it */
export function hpaFromV1(hpa: HorizontalPodAutoscalerV1): ParseResult<HorizontalPodAutoscaler> {
  const { spec: specIn, status: statusIn, ...rest } = hpa as unknown as Json
  const annotations = obj(obj(rest.metadata).annotations)
  const carried: Record<string, unknown> = {}
  for (const key of roundTrip) {
    if (typeof annotations[key] !== 'string') continue
    try {
      carried[key] = JSON.parse(annotations[key] as string)
    } catch (err) {
      return { ok: false, error: `metadata.annotations[${key}]: ${(err as Error).message}` }
    }
  }
  const out: Json = {
    ...rest,
    apiVersion: 'autoscaling/v2',
    metadata: withAnnotations(obj(rest.metadata), withoutRoundTrip(annotations)),
  }
  if (specIn !== undefined) out.spec = isObject(specIn) ? specFromV1(specIn, carried) : specIn
  if (statusIn !== undefined)
    out.status = isObject(statusIn) ? statusFromV1(statusIn, carried) : statusIn
  return { ok: true, value: out as unknown as HorizontalPodAutoscaler }
}

function specFromV1(spec: Json, carried: Record<string, unknown>): Json {
  const { targetCPUUtilizationPercentage: cpu, ...rest } = spec
  const metrics = list(carried[METRICS_ANNOTATION]).map((m) => mapSources(m, sourceFromV1))
  const target = cpu ?? (metrics.length ? undefined : DEFAULT_CPU_UTILIZATION)
  if (target !== undefined)
    metrics.push({
      type: 'Resource',
      resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } },
    })
  return defined({ ...rest, metrics, behavior: carried[BEHAVIOR_ANNOTATION] })
}

function statusFromV1(status: Json, carried: Record<string, unknown>): Json {
  const { currentCPUUtilizationPercentage: cpu, ...rest } = status
  const fromCpu =
    cpu === undefined
      ? undefined
      : [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: cpu } } }]
  const current =
    carried[CURRENT_METRICS_ANNOTATION] === undefined
      ? fromCpu
      : list(carried[CURRENT_METRICS_ANNOTATION]).map((m) => mapSources(m, currentFromV1))
  return defined({ ...rest, currentMetrics: current, conditions: carried[CONDITIONS_ANNOTATION] })
}

function withoutRoundTrip(annotations: Json): Json {
  return Object.fromEntries(Object.entries(annotations).filter(([k]) => !roundTrip.includes(k)))
}

/** metadata with these annotations; none left: no annotations field (unless it was there) */
function withAnnotations(metadata: Json, annotations: Json): Json {
  const { annotations: before, ...rest } = metadata
  return Object.keys(annotations).length ||
    (before !== undefined && !Object.keys(obj(before)).some((k) => roundTrip.includes(k)))
    ? { ...rest, annotations }
    : rest
}
