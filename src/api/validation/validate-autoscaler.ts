// Validation of autoscaling/v2 HorizontalPodAutoscaler (Resource metrics: cpu and memory).
import type { HorizontalPodAutoscaler, MetricSpec } from '../types/index.ts'
import { pathSegmentName, parseQuantity } from '../formats/index.ts'
import { checkRange, invalid, notSupported, required, type FieldCause } from './field-errors.ts'

export function validateAutoscaler(hpa: HorizontalPodAutoscaler): FieldCause[] {
  const spec = hpa.spec
  if (!spec || typeof spec !== 'object') return [required('spec')]
  const out: FieldCause[] = []
  const ref = spec.scaleTargetRef
  if (!ref?.kind) out.push(required('spec.scaleTargetRef.kind'))
  if (!ref?.name) out.push(required('spec.scaleTargetRef.name'))
  else
    for (const m of pathSegmentName(ref.name))
      out.push(invalid('spec.scaleTargetRef.name', ref.name, m))
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
  return out
}

function validateMetric(m: MetricSpec, path: string): FieldCause[] {
  if (m?.type !== 'Resource') return [notSupported(`${path}.type`, m?.type ?? '', ['Resource'])]
  const r = m.resource
  if (!r)
    return [required(`${path}.resource`, 'must populate information for the given metric source')]
  const out: FieldCause[] = []
  if (r.name !== 'cpu' && r.name !== 'memory')
    out.push(notSupported(`${path}.resource.name`, r.name ?? '', ['cpu', 'memory']))
  const t = r.target
  const at = `${path}.resource.target`
  if (!t) return [...out, required(at)]
  if (t.type === 'Utilization') {
    if (t.averageUtilization === undefined) out.push(required(`${at}.averageUtilization`))
    else if (!(t.averageUtilization > 0))
      out.push(invalid(`${at}.averageUtilization`, t.averageUtilization, 'must be greater than 0'))
  } else if (t.type === 'AverageValue') {
    const v = t.averageValue === undefined ? undefined : parseQuantity(t.averageValue)
    if (t.averageValue === undefined) out.push(required(`${at}.averageValue`))
    else if (v === undefined || v <= 0)
      out.push(invalid(`${at}.averageValue`, t.averageValue, 'must be positive'))
  } else out.push(notSupported(`${at}.type`, t.type ?? '', ['Utilization', 'AverageValue']))
  return out
}
