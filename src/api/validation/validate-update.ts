// validateUpdate(old, new): what may not change on an update: identity (name, namespace,
// uid, creationTimestamp), workload selectors, most of a pod's spec, a job's template, a
// service's clusterIP, the data of immutable Secrets and ConfigMaps. It does not repeat
// validate(new): an update runs both, [...validate(next), ...validateUpdate(old, next)].
import type { KubeObject, Pod, PodSpec } from '../types/index.ts'
import { lookupTable, clone, deepEqual, isObject } from '../json/index.ts'
import { forbidden, immutable, invalid, type FieldCause } from './field-errors.ts'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- old and new objects of any kind
type Obj = KubeObject & Record<string, any>

/** The immutability rules of next's kind; old and next are both defaulted. */
export function validateUpdate(old: KubeObject, next: KubeObject): FieldCause[] {
  const out: FieldCause[] = []
  if (old?.kind !== next?.kind) return [invalid('kind', next?.kind ?? null, immutable)]
  const o = old as Obj
  const n = next as Obj
  for (const f of ['name', 'namespace', 'uid', 'creationTimestamp'] as const)
    if ((o.metadata?.[f] ?? '') !== (n.metadata?.[f] ?? ''))
      out.push(invalid(`metadata.${f}`, n.metadata?.[f] ?? '', immutable))
  out.push(...(updateRules[next.kind ?? '']?.(o, n) ?? []))
  return out
}

function unchanged(o: unknown, n: unknown, field: string): FieldCause[] {
  return deepEqual(o, n) ? [] : [invalid(field, n ?? null, immutable)]
}

const updateRules = lookupTable<(o: Obj, n: Obj) => FieldCause[]>({
  Deployment: (o, n) => unchanged(o.spec?.selector, n.spec?.selector, 'spec.selector'),
  ReplicaSet: (o, n) => unchanged(o.spec?.selector, n.spec?.selector, 'spec.selector'),
  DaemonSet: (o, n) => unchanged(o.spec?.selector, n.spec?.selector, 'spec.selector'),
  ControllerRevision: (o, n) => unchanged(o.data, n.data, 'data'),
  EndpointSlice: (o, n) => unchanged(o.addressType, n.addressType, 'addressType'),
  Job: (o, n) => [
    ...unchanged(o.spec?.selector, n.spec?.selector, 'spec.selector'),
    ...unchanged(o.spec?.template, n.spec?.template, 'spec.template'),
    ...unchanged(o.spec?.completions, n.spec?.completions, 'spec.completions'),
  ],
  Pod: (o, n) => validatePodUpdate(o as Pod, n as Pod),
  Service: (o, n) =>
    o.spec?.clusterIP ? unchanged(o.spec.clusterIP, n.spec?.clusterIP, 'spec.clusterIP') : [],
  Secret: immutableData,
  ConfigMap: immutableData,
  Node: (o, n) =>
    o.spec?.podCIDR && o.spec.podCIDR !== n.spec?.podCIDR
      ? [forbidden('spec.podCIDR', 'node updates may not change podCIDR except from "" to valid')]
      : [],
})

function immutableData(o: Obj, n: Obj): FieldCause[] {
  if (o.immutable !== true) return []
  const out: FieldCause[] = []
  if (n.immutable !== true)
    out.push(forbidden('immutable', 'field is immutable when `immutable` is set'))
  for (const f of ['data', 'binaryData', 'stringData'])
    if (!deepEqual(o[f] ?? {}, n[f] ?? {}))
      out.push(forbidden(f, 'field is immutable when `immutable` is set'))
  return out
}

const podUpdateMessage =
  'pod updates may not change fields other than `spec.containers[*].image`, `spec.activeDeadlineSeconds`, ' +
  '`spec.tolerations` (only additions to existing tolerations), `spec.terminationGracePeriodSeconds` ' +
  '(allow it to be set to 1 if it was previously negative) and `spec.nodeName` (only from "" when binding)'

/** As Kubernetes: copy the mutable fields from old, then the rest must be equal. */
function validatePodUpdate(old: Pod, next: Pod): FieldCause[] {
  if (!isObject(old.spec) || !isObject(next.spec)) return []
  const out: FieldCause[] = []
  const munged: PodSpec = clone(next.spec)
  list(munged.containers).forEach((c, i) => {
    const was: unknown = list(old.spec.containers)[i]
    if (isObject(c) && isObject(was)) c.image = was.image as string
  })
  out.push(...checkDeadline(old.spec.activeDeadlineSeconds, next.spec.activeDeadlineSeconds))
  munged.activeDeadlineSeconds = old.spec.activeDeadlineSeconds
  const sameBut = (t: unknown, u: unknown) =>
    isObject(t) &&
    isObject(u) &&
    deepEqual(
      stripUndefined({ ...t, tolerationSeconds: 0 }),
      stripUndefined({ ...u, tolerationSeconds: 0 }),
    )
  const kept = list(old.spec.tolerations).every((t) =>
    list(next.spec.tolerations).some((u) => sameBut(t, u)),
  )
  if (!kept)
    out.push(
      forbidden(
        'spec.tolerations',
        'existing toleration can not be modified except its tolerationSeconds',
      ),
    )
  munged.tolerations = old.spec.tolerations
  if (!old.spec.nodeName) munged.nodeName = old.spec.nodeName
  if (
    (old.spec.terminationGracePeriodSeconds ?? 0) < 0 &&
    next.spec.terminationGracePeriodSeconds === 1
  )
    munged.terminationGracePeriodSeconds = old.spec.terminationGracePeriodSeconds
  if (!deepEqual(stripUndefined(munged), stripUndefined(old.spec)))
    out.push(forbidden('spec', podUpdateMessage))
  return out
}

function checkDeadline(was: number | undefined, now: number | undefined): FieldCause[] {
  if (was !== undefined && now === undefined)
    return [
      invalid(
        'spec.activeDeadlineSeconds',
        null,
        'must not update from a positive integer to nil value',
      ),
    ]
  if (typeof was === 'number' && typeof now === 'number' && now > was)
    return [
      invalid('spec.activeDeadlineSeconds', now, 'must be less than or equal to previous value'),
    ]
  return []
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

function stripUndefined(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v)) as unknown
}
