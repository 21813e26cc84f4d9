// Node ports of Services, as kube-apiserver's service REST allocates them: a Service of type
// NodePort or LoadBalancer gets a node port for each of its ports — the one asked for, which must
// be in the plane's range (default 30000–32767) and not another Service's ("provided port is
// already allocated", 422), or else the lowest free one. On update a port left without one keeps
// the one it had (patchAllocatedValues), and a Service that no longer needs node ports drops the
// ones it had, unless the update changes them (dropTypeDependentFields). The ports in use are the
// stored Services' own, so a deleted Service's are free again. Allocations and the writes they
// lead to run one at a time per store (two creates never take the same port).
import { resourceByKind, type FieldCause, type Service, type ServicePort } from '../../api/index.ts'
import { InvalidError } from '../../core/index.ts'
import type { ObjectStore } from './object-store.ts'

export { DEFAULT_NODE_PORT_RANGE, parseNodePortRange, type NodePortRange } from '../../api/index.ts'

const SERVICES = resourceByKind('Service')!

const needsNodePorts = (svc: Service) =>
  svc.spec?.type === 'NodePort' || svc.spec?.type === 'LoadBalancer'

const samePort = (a: ServicePort, b: ServicePort) =>
  a.port === b.port && (a.protocol ?? 'TCP') === (b.protocol ?? 'TCP')

/** an update's Service with the node ports it keeps or drops, before it is validated */
export function nodePortsOnUpdate(cur: Service, next: Service): Service {
  const before = cur.spec?.ports ?? []
  const ports = next.spec?.ports
  if (!Array.isArray(ports)) return next
  const had = (p: ServicePort) => before.find((b) => samePort(b, p))?.nodePort
  if (needsNodePorts(next)) {
    const kept = ports.map((p) => (p?.nodePort || !had(p) ? p : { ...p, nodePort: had(p) }))
    return { ...next, spec: { ...next.spec, ports: kept } }
  }
  if (!needsNodePorts(cur)) return next
  const unchanged = ports.every((p) => !p?.nodePort || p.nodePort === had(p))
  if (!unchanged) return next
  const dropped = ports.map(({ nodePort: _n, ...p }) => p as ServicePort)
  return { ...next, spec: { ...next.spec, ports: dropped } }
}

const locks = new WeakMap<object, Promise<unknown>>()

/** runs `write` with `svc`'s node ports allocated, one allocation at a time per store */
export function withNodePorts<T>(
  objects: ObjectStore,
  svc: Service,
  write: (svc: Service) => Promise<T>,
): Promise<T> {
  if (!needsNodePorts(svc)) return write(svc)
  const prev = locks.get(objects.store) ?? Promise.resolve()
  const run = prev.then(async () => write(await allocate(objects, svc)))
  locks.set(
    objects.store,
    run.catch(() => undefined),
  )
  return run
}

async function allocate(objects: ObjectStore, svc: Service): Promise<Service> {
  const range = objects.nodePortRange
  const used = new Set<number>()
  const { items } = await objects.list(SERVICES, {})
  for (const other of items as Service[]) {
    const same =
      other.metadata.namespace === svc.metadata.namespace &&
      other.metadata.name === svc.metadata.name
    if (!same) for (const p of other.spec?.ports ?? []) if (p.nodePort) used.add(p.nodePort)
  }
  const causes: FieldCause[] = []
  const asked = new Set<number>()
  ;(svc.spec.ports ?? []).forEach((p, i) => {
    if (!p.nodePort) return
    const field = `spec.ports[${i}].nodePort`
    const value = `Invalid value: ${p.nodePort}: `
    if (p.nodePort < range.min || p.nodePort > range.max)
      causes.push({
        field,
        message: `${value}provided port is not in the valid range. The range of valid ports is ${range.min}-${range.max}`,
      })
    else if (used.has(p.nodePort))
      causes.push({ field, message: `${value}provided port is already allocated` })
    asked.add(p.nodePort)
  })
  if (causes.length) throw invalidService(svc, causes)
  let next = range.min
  const ports = (svc.spec.ports ?? []).map((p) => {
    if (p.nodePort) return p
    while (next <= range.max && (used.has(next) || asked.has(next))) next++
    if (next > range.max)
      throw invalidService(svc, [
        { field: 'spec.ports', message: 'Internal error: range is full (no node port is free)' },
      ])
    used.add(next)
    return { ...p, nodePort: next }
  })
  return { ...svc, spec: { ...svc.spec, ports } }
}

function invalidService(svc: Service, causes: FieldCause[]): InvalidError {
  const text = causes.map((c) => `${c.field}: ${c.message}`).join(', ')
  return new InvalidError(`Service "${svc.metadata.name ?? ''}" is invalid: ${text}`, causes)
}
