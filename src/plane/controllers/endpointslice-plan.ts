// The fewest EndpointSlice writes that take a Service's slices to the endpoints wanted
// (endpointslice-desired.ts), as Kubernetes' endpointslice reconciler plans them, per address
// type and set of ports: (1) each existing slice keeps the endpoints still wanted, in their
// place and brought up to date (none left: deleted); (2) slices already being updated are filled
// up, fullest first; (3) what remains goes into the unchanged slice it fits best, else into new
// slices of at most maxEndpointsPerSlice; slices of ports or address types no longer wanted go;
// a slice to delete is reused for one to create (an update, not a delete and a create); a
// Service with no endpoints of a type keeps one empty placeholder slice. Slices not owned by the
// Service (a Service of the same name before it) are deleted. A slice is written only when its
// endpoints, its labels (the Service's own, then service-name, managed-by and headless for
// clusterIP None) or its node-local ports for the mesh (the shoal.dev/ports annotation, keyed
// by pod as on Endpoints) differ; each written slice carries the trigger time given, and its
// generation grows as the API server's strategy grows it (not for annotations alone).
import {
  deepEqual,
  type AddressType,
  type EndpointSlice,
  type OwnerReference,
  type Service,
  type SliceEndpoint,
  type SlicePort,
} from '../../api/index.ts'
import { PORTS_ANNOTATION, stableJson } from './endpoint-subsets.ts'
import { endpointKey, groupKey, type DesiredEndpoints } from './endpointslice-desired.ts'

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name'
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by'
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io'
export const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time'
const HEADLESS_LABEL = 'service.kubernetes.io/headless'
const RESERVED = [SERVICE_NAME_LABEL, MANAGED_BY_LABEL, HEADLESS_LABEL]

export interface PlanOptions {
  maxEndpointsPerSlice: number
  /** RFC 3339, or undefined: no new trigger (the annotation is cleared on what is written) */
  triggerTime?: string
  /** a generateName suffix */
  suffix: () => string
}

export interface SliceWrites {
  create: EndpointSlice[]
  update: { current: EndpointSlice; next: EndpointSlice }[]
  remove: EndpointSlice[]
}

/** a slice being planned: an existing one (current) or a new one */
interface Draft {
  current?: EndpointSlice
  addressType: AddressType
  ports: SlicePort[]
  endpoints: SliceEndpoint[]
}

export function labelsFor(svc: Service): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(svc.metadata.labels ?? {}))
    if (!RESERVED.includes(k)) out[k] = v
  // Shoal assigns no cluster IPs: a Service is headless only when it asks to be
  if (svc.spec.clusterIP === 'None') out[HEADLESS_LABEL] = ''
  out[SERVICE_NAME_LABEL] = svc.metadata.name!
  out[MANAGED_BY_LABEL] = CONTROLLER_NAME
  return out
}

export const ownedBy = (slice: EndpointSlice, svc: Service) =>
  (slice.metadata.ownerReferences ?? []).some(
    (r) => r.uid === svc.metadata.uid && r.kind === 'Service' && r.apiVersion === 'v1',
  )

const ownerRef = (svc: Service): OwnerReference => ({
  apiVersion: 'v1',
  kind: 'Service',
  name: svc.metadata.name!,
  uid: svc.metadata.uid!,
  controller: true,
  blockOwnerDeletion: true,
})

/** the writes that take `existing` (the Service's managed slices) to `want` */
export function planSlices(
  svc: Service,
  existing: EndpointSlice[],
  want: DesiredEndpoints,
  o: PlanOptions,
): SliceWrites {
  const drafts: Draft[] = []
  const remove: EndpointSlice[] = []
  const sorted = [...existing].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1))
  for (const type of want.addressTypes) {
    const mine = sorted.filter((s) => s.addressType === type)
    const r = byAddressType(svc, mine, want, type, o.maxEndpointsPerSlice)
    drafts.push(...r.drafts)
    remove.push(...r.remove)
  }
  remove.push(...sorted.filter((s) => !want.addressTypes.has(s.addressType)))
  return toWrites(svc, drafts, remove, want, o)
}

function byAddressType(
  svc: Service,
  existing: EndpointSlice[],
  want: DesiredEndpoints,
  type: AddressType,
  max: number,
): { drafts: Draft[]; remove: EndpointSlice[] } {
  const remove = existing.filter((s) => !ownedBy(s, svc))
  const byGroup = new Map<string, EndpointSlice[]>()
  for (const s of existing.filter((x) => ownedBy(x, svc))) {
    const key = groupKey(s.addressType, s.ports)
    byGroup.set(key, [...(byGroup.get(key) ?? []), s])
  }
  const drafts: Draft[] = []
  for (const [key, g] of want.groups) {
    if (g.addressType !== type) continue
    const r = byPorts(svc, byGroup.get(key) ?? [], g.endpoints, { ...g, max, want })
    drafts.push(...r.drafts)
    remove.push(...r.remove)
  }
  for (const [key, slices] of byGroup) if (!want.groups.has(key)) remove.push(...slices)
  const creates = drafts.filter((d) => !d.current)
  if (existing.length === remove.length && !creates.length) {
    const placeholder: Draft = { addressType: type, ports: [], endpoints: [] }
    const keep = remove.length === 1 && isPlaceholder(svc, remove[0], type)
    if (keep) remove.length = 0
    else drafts.push(placeholder)
  }
  // a slice about to go takes the place of one about to be made
  for (let i = 0; i < remove.length && drafts.some((d) => !d.current);) {
    if (!ownedBy(remove[i], svc)) i++
    else drafts.findLast((d) => !d.current)!.current = remove.splice(i, 1)[0]
  }
  return { drafts, remove }
}

const isPlaceholder = (svc: Service, s: EndpointSlice, type: AddressType) =>
  ownedBy(s, svc) &&
  s.addressType === type &&
  !s.endpoints?.length &&
  !s.ports?.length &&
  deepEqual(s.metadata.labels ?? {}, labelsFor(svc))

/** reconcileByPortMapping: the slices of one address type and set of ports */
function byPorts(
  svc: Service,
  existing: EndpointSlice[],
  wanted: Map<string, SliceEndpoint>,
  g: { addressType: AddressType; ports: SlicePort[]; max: number; want: DesiredEndpoints },
): { drafts: Draft[]; remove: EndpointSlice[] } {
  const desired = new Map(wanted)
  const changed: Draft[] = []
  const unchanged: Draft[] = []
  const remove: EndpointSlice[] = []
  for (const s of existing) {
    const kept: SliceEndpoint[] = []
    let updated = false
    for (const e of s.endpoints ?? []) {
      const got = desired.get(endpointKey(e))
      if (!got) continue
      kept.push(got)
      updated ||= !deepEqual(got, e)
      desired.delete(endpointKey(e))
    }
    const draft: Draft = { current: s, addressType: g.addressType, ports: g.ports, endpoints: kept }
    if (updated || kept.length !== (s.endpoints ?? []).length) {
      if (kept.length) changed.push(draft)
      else remove.push(s)
    } else if (stale(svc, s, kept, g.want)) changed.push(draft)
    else unchanged.push(draft)
  }
  const rest = [...desired.values()]
  for (const d of [...changed].sort((a, b) => b.endpoints.length - a.endpoints.length))
    while (rest.length && d.endpoints.length < g.max) d.endpoints.push(rest.shift()!)
  const made: Draft[] = []
  while (rest.length) {
    let fill = rest.length < g.max ? bestFit(unchanged, rest.length, g.max) : undefined
    if (fill) {
      unchanged.splice(unchanged.indexOf(fill), 1)
      fill = { ...fill, endpoints: [...fill.endpoints] }
      changed.push(fill)
    } else made.push((fill = { addressType: g.addressType, ports: g.ports, endpoints: [] }))
    while (rest.length && fill.endpoints.length < g.max) fill.endpoints.push(rest.shift()!)
  }
  return { drafts: [...changed, ...made], remove }
}

/** getSliceToFill: the unchanged slice left with the least room once all `n` are in */
function bestFit(slices: Draft[], n: number, max: number): Draft | undefined {
  let best: Draft | undefined
  for (const s of slices) {
    const room = max - (n + s.endpoints.length)
    if (room >= 0 && (!best || room < max - (n + best.endpoints.length))) best = s
  }
  return best
}

/** labels or node-local ports not as they should be, the endpoints being right */
const stale = (svc: Service, s: EndpointSlice, kept: SliceEndpoint[], want: DesiredEndpoints) =>
  !deepEqual(s.metadata.labels ?? {}, labelsFor(svc)) ||
  s.metadata.annotations?.[PORTS_ANNOTATION] !== portsAnnotation(kept, want)

/** {"<pod>":{"<port>":<node port>}} of the slice's endpoints, or undefined when none has one */
function portsAnnotation(endpoints: SliceEndpoint[], want: DesiredEndpoints) {
  const local: Record<string, Record<string, number>> = {}
  for (const e of endpoints) {
    const pod = e.targetRef?.name
    const ports = pod === undefined ? undefined : want.local.get(pod)
    if (pod !== undefined && ports) local[pod] = ports
  }
  return Object.keys(local).length ? stableJson(local) : undefined
}

function annotations(
  current: Record<string, string> | undefined,
  d: Draft,
  want: DesiredEndpoints,
  triggerTime: string | undefined,
): Record<string, string> | undefined {
  const out = { ...(current ?? {}) }
  const ports = portsAnnotation(d.endpoints, want)
  if (ports) out[PORTS_ANNOTATION] = ports
  else delete out[PORTS_ANNOTATION]
  if (triggerTime) out[TRIGGER_TIME_ANNOTATION] = triggerTime
  else delete out[TRIGGER_TIME_ANNOTATION]
  return Object.keys(out).length ? out : undefined
}

/** a change the API server counts in the generation (endpointSliceStrategy): all but metadata,
 * and the labels */
export function changed(a: EndpointSlice, b: EndpointSlice): boolean {
  const { metadata: am, ...x } = a
  const { metadata: bm, ...y } = b
  return !deepEqual(x, y) || !deepEqual(am.labels ?? {}, bm.labels ?? {})
}

function toWrites(
  svc: Service,
  drafts: Draft[],
  remove: EndpointSlice[],
  want: DesiredEndpoints,
  o: PlanOptions,
): SliceWrites {
  const writes: SliceWrites = { create: [], update: [], remove }
  for (const d of drafts) {
    const meta = d.current?.metadata ?? {
      name: `${svc.metadata.name}-${o.suffix()}`,
      generateName: `${svc.metadata.name}-`,
      namespace: svc.metadata.namespace,
    }
    const ann = annotations(d.current?.metadata.annotations, d, want, o.triggerTime)
    const next: EndpointSlice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        ...meta,
        labels: labelsFor(svc),
        ownerReferences: d.current?.metadata.ownerReferences ?? [ownerRef(svc)],
      },
      addressType: d.addressType,
      endpoints: d.endpoints,
      ports: d.ports,
    }
    if (ann) next.metadata.annotations = ann
    else delete next.metadata.annotations
    if (d.current && changed(d.current, next))
      next.metadata.generation = (d.current.metadata.generation ?? 1) + 1
    if (d.current) writes.update.push({ current: d.current, next })
    else writes.create.push(next)
  }
  return writes
}
