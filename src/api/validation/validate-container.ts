// Validation of one container: name, image (a component reference), env, ports, resources,
// probes and volume mounts.
import type { Container, ContainerPort, EnvVar, Probe, VolumeMount } from '../types/index.ts'
import {
  dns1123Label,
  envVarName,
  ianaServiceName,
  imageRefHelp,
  parseImageRef,
} from '../formats/index.ts'
import {
  checkRange,
  duplicate,
  forbidden,
  invalid,
  notFound,
  notSupported,
  required,
  type FieldCause,
} from './field-errors.ts'
import { validateResources } from './validate-resources.ts'

const list = <T>(v: T[] | undefined): T[] => (Array.isArray(v) ? v : [])

export const protocols = ['TCP', 'UDP', 'SCTP']

export function validateContainer(c: Container, path: string, volumes: Set<string>): FieldCause[] {
  if (c === null || typeof c !== 'object') return [invalid(path, c, 'must be an object')]
  const out: FieldCause[] = []
  if (!c.name) out.push(required(`${path}.name`))
  else for (const m of dns1123Label(String(c.name))) out.push(invalid(`${path}.name`, c.name, m))
  if (!c.image) out.push(required(`${path}.image`))
  else if (typeof c.image !== 'string' || !parseImageRef(c.image))
    out.push(invalid(`${path}.image`, c.image, imageRefHelp))
  for (const f of ['command', 'args'] as const)
    if (c[f] !== undefined && !(Array.isArray(c[f]) && c[f].every((a) => typeof a === 'string')))
      out.push(invalid(`${path}.${f}`, c[f], 'must be a list of strings'))
  list(c.env).forEach((e, i) => out.push(...validateEnvVar(e, `${path}.env[${i}]`)))
  out.push(...validatePorts(list(c.ports), `${path}.ports`))
  out.push(...validateResources(c.resources, `${path}.resources`))
  if (c.readinessProbe)
    out.push(...validateProbe(c.readinessProbe, `${path}.readinessProbe`, false))
  if (c.livenessProbe) out.push(...validateProbe(c.livenessProbe, `${path}.livenessProbe`, true))
  out.push(...validateMounts(list(c.volumeMounts), `${path}.volumeMounts`, volumes))
  return out
}

const fieldPaths = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
]

function validateEnvVar(e: EnvVar, path: string): FieldCause[] {
  const out: FieldCause[] = []
  if (!e?.name) out.push(required(`${path}.name`))
  else for (const m of envVarName(String(e.name))) out.push(invalid(`${path}.name`, e.name, m))
  const from = e?.valueFrom
  if (!from) return out
  if (e.value)
    out.push(invalid(`${path}.valueFrom`, '', 'may not be specified when `value` is not empty'))
  const sources = (['secretKeyRef', 'configMapKeyRef', 'fieldRef'] as const).filter((s) => from[s])
  if (sources.length === 0)
    out.push(
      invalid(
        `${path}.valueFrom`,
        '',
        'must specify one of: `fieldRef`, `configMapKeyRef` or `secretKeyRef`',
      ),
    )
  if (sources.length > 1)
    out.push(
      invalid(`${path}.valueFrom`, '', 'may not have more than one field specified at a time'),
    )
  for (const s of ['secretKeyRef', 'configMapKeyRef'] as const) {
    if (!from[s]) continue
    if (!from[s].name) out.push(required(`${path}.valueFrom.${s}.name`))
    if (!from[s].key) out.push(required(`${path}.valueFrom.${s}.key`))
  }
  const fieldPath = from.fieldRef?.fieldPath
  if (from.fieldRef && !fieldPath) out.push(required(`${path}.valueFrom.fieldRef.fieldPath`))
  else if (
    fieldPath &&
    !fieldPaths.includes(fieldPath) &&
    !/^metadata\.(labels|annotations)\['[^']+'\]$/.test(fieldPath)
  )
    out.push(notSupported(`${path}.valueFrom.fieldRef.fieldPath`, fieldPath, fieldPaths))
  return out
}

function validatePorts(ports: ContainerPort[], path: string): FieldCause[] {
  const out: FieldCause[] = []
  const names = new Set<string>()
  ports.forEach((p, i) => {
    const at = `${path}[${i}]`
    if (!p?.containerPort) out.push(required(`${at}.containerPort`))
    else out.push(...checkRange(`${at}.containerPort`, p.containerPort, 1, 65535))
    if (p?.hostPort) out.push(...checkRange(`${at}.hostPort`, p.hostPort, 1, 65535))
    if (p?.protocol !== undefined && !protocols.includes(p.protocol))
      out.push(notSupported(`${at}.protocol`, p.protocol, protocols))
    if (p?.name === undefined || p.name === '') return
    for (const m of ianaServiceName(String(p.name))) out.push(invalid(`${at}.name`, p.name, m))
    if (names.has(p.name)) out.push(duplicate(`${at}.name`, p.name))
    names.add(p.name)
  })
  return out
}

/** A port given as a number (1..65535) or as a named port. */
export function validatePortRef(port: unknown, path: string): FieldCause[] {
  if (typeof port === 'number') return checkRange(path, port, 1, 65535)
  if (typeof port === 'string' && port !== '')
    return ianaServiceName(port).map((m) => invalid(path, port, m))
  return [required(path)]
}

function validateProbe(p: Probe, path: string, liveness: boolean): FieldCause[] {
  const out: FieldCause[] = []
  if (p.exec)
    out.push(
      forbidden(
        `${path}.exec`,
        'exec probes are not supported: a component has no shell; use httpGet',
      ),
    )
  if (p.tcpSocket)
    out.push(forbidden(`${path}.tcpSocket`, 'tcpSocket probes are not supported; use httpGet'))
  if (!p.httpGet && !p.exec && !p.tcpSocket) out.push(required(path, 'must specify a handler type'))
  if (p.httpGet) out.push(...validatePortRef(p.httpGet.port, `${path}.httpGet.port`))
  for (const f of [
    'initialDelaySeconds',
    'timeoutSeconds',
    'periodSeconds',
    'successThreshold',
    'failureThreshold',
  ] as const)
    out.push(...checkRange(`${path}.${f}`, p[f], 0))
  if (liveness && p.successThreshold !== undefined && p.successThreshold !== 1)
    out.push(invalid(`${path}.successThreshold`, p.successThreshold, 'must be 1'))
  return out
}

function validateMounts(mounts: VolumeMount[], path: string, volumes: Set<string>): FieldCause[] {
  const out: FieldCause[] = []
  const paths = new Set<string>()
  mounts.forEach((m, i) => {
    const at = `${path}[${i}]`
    if (!m?.name) out.push(required(`${at}.name`))
    else if (!volumes.has(m.name)) out.push(notFound(`${at}.name`, m.name))
    if (!m?.mountPath) {
      out.push(required(`${at}.mountPath`))
      return
    }
    if (paths.has(m.mountPath)) out.push(invalid(`${at}.mountPath`, m.mountPath, 'must be unique'))
    paths.add(m.mountPath)
  })
  return out
}
