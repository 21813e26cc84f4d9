// Validation of a container's resources: names, quantities, and requests within limits.
import type { ResourceRequirements } from '../types/index.ts'
import { parseQuantity, quantityPattern } from '../formats/index.ts'
import { invalid, type FieldCause } from './field-errors.ts'

const standard = ['cpu', 'memory', 'ephemeral-storage']

function checkList(resources: unknown, path: string): FieldCause[] {
  if (resources === undefined || resources === null) return []
  if (typeof resources !== 'object' || Array.isArray(resources))
    return [invalid(path, resources, 'must be a map of quantities')]
  const out: FieldCause[] = []
  for (const [name, q] of Object.entries(resources)) {
    const at = `${path}[${name}]`
    if (!standard.includes(name) && !name.includes('/'))
      out.push(invalid(at, name, 'must be a standard resource type or fully qualified'))
    const value = typeof q === 'string' || typeof q === 'number' ? parseQuantity(q) : undefined
    if (value === undefined)
      out.push(invalid(at, q, `quantities must match the regular expression '${quantityPattern}'`))
    else if (value < 0) out.push(invalid(at, q, 'must be greater than or equal to 0'))
  }
  return out
}

export function validateResources(r: ResourceRequirements | undefined, path: string): FieldCause[] {
  if (r === undefined || r === null) return []
  const out = [
    ...checkList(r.limits, `${path}.limits`),
    ...checkList(r.requests, `${path}.requests`),
  ]
  if (out.length || !r.limits || !r.requests) return out
  for (const [name, q] of Object.entries(r.requests)) {
    const limit = r.limits[name]
    if (limit === undefined) continue
    if ((parseQuantity(q) ?? 0) > (parseQuantity(limit) ?? Infinity))
      out.push(
        invalid(
          `${path}.requests[${name}]`,
          String(q),
          `must be less than or equal to ${name} limit of ${limit}`,
        ),
      )
  }
  return out
}
