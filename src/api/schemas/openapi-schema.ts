// A kind's field schema as an OpenAPI v3 schema object, the way kube-apiserver publishes
// built-in types under components.schemas, so `kubectl explain` can show the fields. Only
// structure and types: no descriptions, no patch strategies (without them kubectl keeps
// computing client-side apply patches from its built-in types).
import { schemaName } from '../resources/index.ts'
import { isLeaf, isList, type FieldSchema, type Leaf } from './field-schema.ts'
import { schemaFor } from './unknown-fields.ts'

export type OpenApiSchema = Record<string, unknown>

const intOrStringName = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString'
const quantityName = 'io.k8s.apimachinery.pkg.api.resource.Quantity'
const ref = (name: string) => ({ allOf: [{ $ref: `#/components/schemas/${name}` }] })
const intOrString = ref(intOrStringName)
const quantity = ref(quantityName)

/** the named schemas the kinds refer to (kubectl explain prints their last name segment as the type) */
export const sharedOpenApiSchemas: Record<string, OpenApiSchema> = {
  [intOrStringName]: {
    description: 'A number or a string: a port number or name, a count or a percentage.',
    type: 'string',
    format: 'int-or-string',
    'x-kubernetes-int-or-string': true,
  },
  [quantityName]: {
    description: 'A resource quantity: "100m", "64Mi", 2.',
    type: 'string',
    'x-kubernetes-int-or-string': true,
  },
}

const leaves: Record<Leaf, OpenApiSchema> = {
  string: { type: 'string' },
  integer: { type: 'integer', format: 'int32' },
  int64: { type: 'integer', format: 'int64' },
  number: { type: 'number', format: 'double' },
  boolean: { type: 'boolean' },
  'int-or-string': intOrString,
  quantity,
  'date-time': { type: 'string', format: 'date-time' },
  map: { type: 'object', additionalProperties: { type: 'string' } },
  'quantity-map': { type: 'object', additionalProperties: quantity },
  object: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
}

export function openApiSchema(s: FieldSchema): OpenApiSchema {
  if (isLeaf(s)) return leaves[s]
  if (isList(s)) return { type: 'array', items: openApiSchema(s[0]) }
  return {
    type: 'object',
    properties: Object.fromEntries(Object.entries(s).map(([k, v]) => [k, openApiSchema(v)])),
  }
}

/** components.schemas entry of a kind: its schema with x-kubernetes-group-version-kind; undefined without a schema */
export function kindOpenApiSchema(gvk: {
  group: string
  version: string
  kind: string
  storageVersion?: string
}): OpenApiSchema | undefined {
  const s = schemaFor(schemaName(gvk))
  if (!s) return undefined
  const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version
  return {
    description: `${gvk.kind} (${apiVersion}) as Shoal serves it. Fields outside this schema are unknown: fieldValidation=Strict rejects them, Warn and Ignore drop them.`,
    ...openApiSchema(s),
    'x-kubernetes-group-version-kind': [{ group: gvk.group, kind: gvk.kind, version: gvk.version }],
  }
}
