// Unknown fields: what a body has that its kind's schema does not, as Kubernetes' strict decoder
// names them ("spec.template.spec.containers[0].imagee"), and the same object without them.
import { isLeaf, isList, type FieldSchema, type ObjectSchema } from './field-schema.ts'
import { configMap, endpoints, event, namespace, node, pod, secret, service } from './schema-core.ts'
import { daemonSet, deployment, horizontalPodAutoscaler, job, scale } from './schema-workloads.ts'

const schemas: Readonly<Record<string, ObjectSchema>> = {
  Namespace: namespace,
  Node: node,
  Pod: pod,
  Service: service,
  Endpoints: endpoints,
  Secret: secret,
  ConfigMap: configMap,
  Event: event,
  Deployment: deployment,
  DaemonSet: daemonSet,
  Job: job,
  HorizontalPodAutoscaler: horizontalPodAutoscaler,
  Scale: scale,
}

/** the schema of a kind Shoal serves (and of Scale); undefined for any other kind */
export function schemaFor(kind: string): ObjectSchema | undefined {
  return Object.hasOwn(schemas, kind) ? schemas[kind] : undefined
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const join = (path: string, key: string) => (path ? `${path}.${key}` : key)
const fieldOf = (s: ObjectSchema, key: string): FieldSchema | undefined => (Object.hasOwn(s, key) ? s[key] : undefined)

function collect(schema: FieldSchema, value: unknown, path: string, out: string[]): void {
  if (isLeaf(schema)) return
  if (isList(schema)) {
    if (Array.isArray(value)) value.forEach((v, i) => collect(schema[0], v, `${path}[${i}]`, out))
    return
  }
  if (!isPlainObject(value)) return
  for (const [key, v] of Object.entries(value)) {
    const field = fieldOf(schema, key)
    if (field === undefined) out.push(join(path, key))
    else collect(field, v, join(path, key), out)
  }
}

/**
 * Every field of `obj` its kind does not have, in the order the object lists them. Free-form
 * values (labels, annotations, ConfigMap data, resource lists) are never looked into. A kind
 * without a schema has no unknown fields.
 */
export function unknownFields(kind: string, obj: unknown): string[] {
  const schema = schemaFor(kind)
  const out: string[] = []
  if (schema) collect(schema, obj, '', out)
  return out
}

function prune(schema: FieldSchema, value: unknown): unknown {
  if (isLeaf(schema)) return value
  if (isList(schema)) return Array.isArray(value) ? value.map((v) => prune(schema[0], v)) : value
  if (!isPlainObject(value)) return value
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) {
    const field = fieldOf(schema, key)
    if (field !== undefined) out[key] = prune(field, v)
  }
  return out
}

/** `obj` without its unknown fields (a new object; `obj` is not changed) */
export function pruneUnknown<T>(kind: string, obj: T): T {
  const schema = schemaFor(kind)
  return schema ? (prune(schema, obj) as T) : obj
}
