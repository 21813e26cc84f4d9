// Unknown fields: what a body has that its kind's schema does not, as Kubernetes' strict decoder
// names them ("spec.template.spec.containers[0].imagee"), and the same object without them.
import { lookupTable, isObject } from '../json/index.ts'
import { isLeaf, isList, type FieldSchema, type ObjectSchema } from './field-schema.ts'
import {
  configMap,
  endpoints,
  event,
  lease,
  namespace,
  node,
  pod,
  secret,
  service,
} from './schema-core.ts'
import {
  controllerRevision,
  daemonSet,
  deployment,
  horizontalPodAutoscaler,
  horizontalPodAutoscalerV1,
  job,
  replicaSet,
  scale,
} from './schema-workloads.ts'
import { cronJob } from './schema-batch.ts'
import { endpointSlice } from './schema-discovery.ts'
import { ingress } from './schema-networking.ts'

const schemas = lookupTable<ObjectSchema>({
  Namespace: namespace,
  Node: node,
  Pod: pod,
  Service: service,
  Endpoints: endpoints,
  Secret: secret,
  ConfigMap: configMap,
  Event: event,
  Deployment: deployment,
  ReplicaSet: replicaSet,
  DaemonSet: daemonSet,
  ControllerRevision: controllerRevision,
  Job: job,
  CronJob: cronJob,
  HorizontalPodAutoscaler: horizontalPodAutoscaler,
  'autoscaling/v1/HorizontalPodAutoscaler': horizontalPodAutoscalerV1,
  Scale: scale,
  Lease: lease,
  EndpointSlice: endpointSlice,
  Ingress: ingress,
})

/** the schema of a kind Shoal serves (and of Scale), by schemaName (resources/served-versions.ts); undefined for any other */
export function schemaFor(kind: string): ObjectSchema | undefined {
  return Object.hasOwn(schemas, kind) ? schemas[kind] : undefined
}

const fieldOf = (s: ObjectSchema, key: string): FieldSchema | undefined =>
  Object.hasOwn(s, key) ? s[key] : undefined

/** "spec.containers[0].imagee" from the segments walked so far (built only for an unknown field) */
function pathOf(segments: (string | number)[], key: string): string {
  let p = ''
  for (const s of segments) p = typeof s === 'number' ? `${p}[${s}]` : p ? `${p}.${s}` : s
  return p ? `${p}.${key}` : key
}

// every request walks its whole body: the walk allocates nothing unless a field is unknown
function collect(
  schema: FieldSchema,
  value: unknown,
  at: (string | number)[],
  out: string[] | undefined,
): number {
  if (isLeaf(schema)) return 0
  let found = 0
  if (isList(schema)) {
    if (!Array.isArray(value)) return 0
    for (let i = 0; i < value.length; i++) {
      at.push(i)
      found += collect(schema[0], value[i], at, out)
      at.pop()
    }
    return found
  }
  if (!isObject(value)) return 0
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue
    const field = fieldOf(schema, key)
    if (field === undefined) {
      found++
      out?.push(pathOf(at, key))
      continue
    }
    at.push(key)
    found += collect(field, value[key], at, out)
    at.pop()
  }
  return found
}

/**
 * Every field of `obj` its kind does not have, in the order the object lists them. Free-form
 * values (labels, annotations, ConfigMap data, resource lists) are never looked into. A kind
 * without a schema has no unknown fields.
 */
export function unknownFields(kind: string, obj: unknown): string[] {
  const schema = schemaFor(kind)
  const out: string[] = []
  if (schema) collect(schema, obj, [], out)
  return out
}

function prune(schema: FieldSchema, value: unknown): unknown {
  if (isLeaf(schema)) return value
  if (isList(schema)) return Array.isArray(value) ? value.map((v) => prune(schema[0], v)) : value
  if (!isObject(value)) return value
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) {
    const field = fieldOf(schema, key)
    if (field !== undefined) out[key] = prune(field, v)
  }
  return out
}

/** `obj` without its unknown fields: `obj` itself when it has none, else a pruned copy (`obj` is not changed) */
export function pruneUnknown<T>(kind: string, obj: T): T {
  const schema = schemaFor(kind)
  return schema && collect(schema, obj, [], undefined) ? (prune(schema, obj) as T) : obj
}
