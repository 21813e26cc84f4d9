// Validation of Lease (coordination.k8s.io/v1), as kube-apiserver's ValidateLeaseSpec:
// leaseDurationSeconds and leaseTransitions ≥ 0 (a duration of 0 is refused: it would never hold),
// times RFC 3339 (MicroTime), strings where strings belong.
import type { Lease } from '../types/index.ts'
import { checkRange, invalid, type FieldCause } from './field-errors.ts'

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/

export function validateLease(lease: Lease): FieldCause[] {
  const spec = lease.spec
  if (spec === undefined || spec === null) return []
  if (typeof spec !== 'object' || Array.isArray(spec))
    return [invalid('spec', spec, 'must be an object')]
  const out: FieldCause[] = [
    ...checkRange('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 1),
    ...checkRange('spec.leaseTransitions', spec.leaseTransitions, 0),
  ]
  for (const f of ['holderIdentity', 'strategy', 'preferredHolder'] as const)
    if (spec[f] !== undefined && typeof spec[f] !== 'string')
      out.push(invalid(`spec.${f}`, spec[f], 'must be a string'))
  for (const f of ['acquireTime', 'renewTime'] as const) {
    const t = spec[f]
    if (t !== undefined && (typeof t !== 'string' || !RFC3339.test(t) || isNaN(Date.parse(t))))
      out.push(invalid(`spec.${f}`, t, 'must be an RFC 3339 time (MicroTime)'))
  }
  return out
}
