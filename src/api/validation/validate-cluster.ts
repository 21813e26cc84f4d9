// Validation of the cluster kinds Node (taints, podCIDR) and Event.
import type { Event, Node } from '../types/index.ts'
import { labelValue, qualifiedKey } from '../formats/index.ts'
import {
  duplicate,
  invalid,
  notSupported,
  required,
  tooLong,
  type FieldCause,
} from './field-errors.ts'

const effects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute']

export function validateNode(node: Node): FieldCause[] {
  const out: FieldCause[] = []
  const seen = new Set<string>()
  const taints = Array.isArray(node.spec?.taints) ? node.spec.taints : []
  taints.forEach((t, i) => {
    const at = `spec.taints[${i}]`
    if (!t?.key) out.push(required(`${at}.key`))
    else for (const m of qualifiedKey(t.key)) out.push(invalid(`${at}.key`, t.key, m))
    if (t?.value) for (const m of labelValue(t.value)) out.push(invalid(`${at}.value`, t.value, m))
    if (!t?.effect) out.push(required(`${at}.effect`))
    else if (!effects.includes(t.effect)) out.push(notSupported(`${at}.effect`, t.effect, effects))
    const key = `${t?.key}:${t?.effect}`
    if (seen.has(key)) out.push(duplicate(at, { key: t.key, effect: t.effect }))
    seen.add(key)
  })
  const cidr = node.spec?.podCIDR
  if (cidr && !/^[0-9a-fA-F.:]+\/\d{1,3}$/.test(cidr))
    out.push(
      invalid(
        'spec.podCIDR',
        cidr,
        'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      ),
    )
  return out
}

export function validateEvent(ev: Event): FieldCause[] {
  const out: FieldCause[] = []
  const involved = ev.involvedObject
  if (!involved || typeof involved !== 'object') return [required('involvedObject')]
  if (involved.namespace && ev.metadata?.namespace && involved.namespace !== ev.metadata.namespace)
    out.push(
      invalid('involvedObject.namespace', involved.namespace, 'does not match event.namespace'),
    )
  if (ev.type !== undefined && ev.type !== 'Normal' && ev.type !== 'Warning')
    out.push(notSupported('type', ev.type, ['Normal', 'Warning']))
  if ((ev.reason ?? '').length > 128) out.push(tooLong('reason', 128))
  return out
}
