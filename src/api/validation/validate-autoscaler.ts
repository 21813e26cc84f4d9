// Validation of autoscaling/v2 HorizontalPodAutoscaler as Kubernetes' ValidateHorizontalPodAutoscaler:
// Resource metrics (cpu and memory: what nodes report), Pods and Object metrics (custom metrics, e.g.
// request rates from the mesh), and the behavior's scaling rules.
import type {
  HorizontalPodAutoscaler,
  HPAScalingRules,
  MetricSpec,
  MetricTarget,
} from '../types/index.ts'
import { pathSegmentName, parseQuantity } from '../formats/index.ts'
import { checkRange, invalid, notSupported, required, type FieldCause } from './field-errors.ts'

/** Kubernetes' MaxStabilizationWindowSeconds and MaxPeriodSeconds */
const MAX_WINDOW_SECONDS = 3600
const MAX_PERIOD_SECONDS = 1800
const TYPES = ['Resource', 'Pods', 'Object']

export function validateAutoscaler(hpa: HorizontalPodAutoscaler): FieldCause[] {
  const spec = hpa.spec
  if (!spec || typeof spec !== 'object') return [required('spec')]
  const out: FieldCause[] = validateRef(spec.scaleTargetRef, 'spec.scaleTargetRef')
  out.push(...checkRange('spec.minReplicas', spec.minReplicas, 1))
  if (spec.maxReplicas === undefined) out.push(required('spec.maxReplicas'))
  else out.push(...checkRange('spec.maxReplicas', spec.maxReplicas, 1))
  if (typeof spec.maxReplicas === 'number' && spec.maxReplicas < (spec.minReplicas ?? 1))
    out.push(
      invalid(
        'spec.maxReplicas',
        spec.maxReplicas,
        'must be greater than or equal to `minReplicas`',
      ),
    )
  if (Array.isArray(spec.metrics))
    spec.metrics.forEach((m, i) => out.push(...validateMetric(m, `spec.metrics[${i}]`)))
  const b = spec.behavior
  if (b && typeof b === 'object') {
    out.push(...validateRules(b.scaleUp, 'spec.behavior.scaleUp'))
    out.push(...validateRules(b.scaleDown, 'spec.behavior.scaleDown'))
  }
  return out
}

function validateRef(ref: { kind?: string; name?: string } | undefined, path: string) {
  const out: FieldCause[] = []
  if (!ref?.kind) out.push(required(`${path}.kind`))
  if (!ref?.name) out.push(required(`${path}.name`))
  else for (const m of pathSegmentName(ref.name)) out.push(invalid(`${path}.name`, ref.name, m))
  return out
}

function validateMetric(m: MetricSpec, path: string): FieldCause[] {
  if (!TYPES.includes(m?.type)) return [notSupported(`${path}.type`, m?.type ?? '', TYPES)]
  const key = m.type === 'Resource' ? 'resource' : m.type === 'Pods' ? 'pods' : 'object'
  const src = m[key]
  if (!src)
    return [required(`${path}.${key}`, 'must populate information for the given metric source')]
  const at = `${path}.${key}`
  const out: FieldCause[] = []
  if (m.type === 'Resource') {
    const name = m.resource!.name
    if (name !== 'cpu' && name !== 'memory')
      out.push(notSupported(`${at}.name`, name ?? '', ['cpu', 'memory']))
  } else if (!(src as { metric?: { name?: string } }).metric?.name)
    out.push(required(`${at}.metric.name`, 'must specify a metric name'))
  if (m.type === 'Object')
    out.push(...validateRef(m.object!.describedObject, `${at}.describedObject`))
  const t = src.target
  if (!t) return [...out, required(`${at}.target`)]
  out.push(...validateTarget(t, `${at}.target`))
  if (m.type === 'Pods' && t.averageValue === undefined)
    out.push(required(`${at}.target.averageValue`, 'must specify a positive target averageValue'))
  if (m.type === 'Object' && t.value === undefined && t.averageValue === undefined)
    out.push(required(`${at}.target`, 'must set either a target value or averageValue'))
  if (m.type === 'Resource' && t.type === 'Value')
    out.push(notSupported(`${at}.target.type`, t.type, ['Utilization', 'AverageValue']))
  return out
}

function validateTarget(t: MetricTarget, at: string): FieldCause[] {
  const out: FieldCause[] = []
  const kinds = ['Utilization', 'Value', 'AverageValue']
  if (!kinds.includes(t.type)) out.push(notSupported(`${at}.type`, t.type ?? '', kinds))
  if (t.type === 'Utilization' && t.averageUtilization === undefined)
    out.push(required(`${at}.averageUtilization`))
  if (t.averageUtilization !== undefined && !(t.averageUtilization > 0))
    out.push(invalid(`${at}.averageUtilization`, t.averageUtilization, 'must be greater than 0'))
  for (const f of ['averageValue', 'value'] as const) {
    if (t.type === (f === 'value' ? 'Value' : 'AverageValue') && t[f] === undefined)
      out.push(required(`${at}.${f}`))
    const v = t[f] === undefined ? undefined : parseQuantity(t[f]!)
    if (t[f] !== undefined && (v === undefined || v <= 0))
      out.push(invalid(`${at}.${f}`, t[f], 'must be positive'))
  }
  return out
}

function validateRules(r: HPAScalingRules | undefined, path: string): FieldCause[] {
  if (!r || typeof r !== 'object') return []
  const out = checkRange(
    `${path}.stabilizationWindowSeconds`,
    r.stabilizationWindowSeconds,
    0,
    MAX_WINDOW_SECONDS,
  )
  const selects = ['Max', 'Min', 'Disabled']
  if (r.selectPolicy !== undefined && !selects.includes(r.selectPolicy))
    out.push(notSupported(`${path}.selectPolicy`, r.selectPolicy, selects))
  if (!Array.isArray(r.policies) || !r.policies.length)
    return [...out, required(`${path}.policies`, 'must specify at least one Policy')]
  r.policies.forEach((p, i) => {
    const at = `${path}.policies[${i}]`
    if (p?.type !== 'Pods' && p?.type !== 'Percent')
      out.push(notSupported(`${at}.type`, p?.type ?? '', ['Pods', 'Percent']))
    if (!(Number.isInteger(p?.value) && p.value > 0))
      out.push(invalid(`${at}.value`, p?.value, 'must be greater than zero'))
    if (!(Number.isInteger(p?.periodSeconds) && p.periodSeconds > 0))
      out.push(invalid(`${at}.periodSeconds`, p?.periodSeconds, 'must be greater than zero'))
    else if (p.periodSeconds > MAX_PERIOD_SECONDS)
      out.push(
        invalid(
          `${at}.periodSeconds`,
          p.periodSeconds,
          `must be less than or equal to ${MAX_PERIOD_SECONDS}`,
        ),
      )
  })
  return out
}
