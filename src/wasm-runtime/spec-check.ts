// Validation of an InstanceSpec before anything is loaded: every problem, with its field path,
// in one InvalidError "runtime: invalid instance spec: …". Pure.
import { InvalidError, type FieldCause } from '../core/index.ts'
import type { InstanceSpec, ProbeSpec } from './types.ts'

const kinds = ['http', 'handler', 'command']

function positive(value: number | undefined, field: string, causes: FieldCause[]): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0))
    causes.push({ field, message: 'must be a positive number' })
}

function checkProbe(
  probe: ProbeSpec | undefined,
  field: string,
  spec: InstanceSpec,
  causes: FieldCause[],
): void {
  if (!probe) return
  if (probe.httpGet && spec.kind === 'command')
    causes.push({ field: `${field}.httpGet`, message: 'a command serves no HTTP' })
  if (probe.httpGet && !probe.httpGet.path.startsWith('/'))
    causes.push({ field: `${field}.httpGet.path`, message: 'must start with /' })
  for (const key of [
    'periodSeconds',
    'timeoutSeconds',
    'successThreshold',
    'failureThreshold',
  ] as const)
    positive(probe[key], `${field}.${key}`, causes)
}

export function checkSpec(spec: InstanceSpec): void {
  const causes: FieldCause[] = []
  if (!spec.id) causes.push({ field: 'id', message: 'is required' })
  if (!kinds.includes(spec.kind))
    causes.push({ field: 'kind', message: `must be one of ${kinds.join(', ')}` })
  if (!spec.image?.path) causes.push({ field: 'image.path', message: 'is required' })
  for (const [name, value] of Object.entries(spec.env ?? {})) {
    if (typeof value !== 'string')
      causes.push({ field: `env.${name}`, message: 'must be a string' })
  }
  spec.volumes?.forEach((v, i) => {
    if (!v.guestPath?.startsWith('/'))
      causes.push({ field: `volumes[${i}].guestPath`, message: 'must be absolute' })
    if (!v.hostPath?.startsWith('/'))
      causes.push({ field: `volumes[${i}].hostPath`, message: 'must be absolute' })
  })
  positive(spec.limits?.memoryBytes, 'limits.memoryBytes', causes)
  positive(spec.limits?.cpuMillis, 'limits.cpuMillis', causes)
  positive(spec.limits?.requestTimeoutMs, 'limits.requestTimeoutMs', causes)
  positive(spec.recycleAfterRequests, 'recycleAfterRequests', causes)
  checkProbe(spec.readinessProbe, 'readinessProbe', spec, causes)
  checkProbe(spec.livenessProbe, 'livenessProbe', spec, causes)
  if (causes.length) {
    throw new InvalidError(
      `runtime: invalid instance spec: ${causes.map((c) => `${c.field} ${c.message}`).join('; ')}`,
      causes,
    )
  }
}
