// The shape of a declarative field schema: which fields each kind has, nested, as Kubernetes
// names them. Used to find and drop unknown fields (fieldValidation) and to describe the kinds
// in OpenAPI. A leaf is a scalar or a free-form value that is never looked into.

/** scalars, and values whose inside is free-form (maps, opaque objects) */
export type Leaf =
  | 'string'
  /** int32, as most Kubernetes counts and ports */
  | 'integer'
  /** int64: generations, grace periods, deadlines in seconds */
  | 'int64'
  | 'number'
  | 'boolean'
  | 'int-or-string'
  | 'quantity'
  | 'date-time'
  /** string → string (labels, annotations, ConfigMap data, nodeSelector) */
  | 'map'
  /** resource name → quantity (limits, requests, capacity) */
  | 'quantity-map'
  /** an object Shoal does not look into (securityContext, affinity, fieldsV1) */
  | 'object'

export interface ObjectSchema {
  readonly [field: string]: FieldSchema
}

/** a list: its one element is the schema of every item */
export type ListSchema = readonly [FieldSchema]

export type FieldSchema = Leaf | ObjectSchema | ListSchema

export const str: Leaf = 'string'
export const int: Leaf = 'integer'
export const int64: Leaf = 'int64'
export const num: Leaf = 'number'
export const bool: Leaf = 'boolean'
export const intOrStr: Leaf = 'int-or-string'
export const qty: Leaf = 'quantity'
export const time: Leaf = 'date-time'
export const map: Leaf = 'map'
export const qtyMap: Leaf = 'quantity-map'
export const obj: Leaf = 'object'

/** a list of strings */
export const strs: ListSchema = [str]

export const listOf = (item: FieldSchema): ListSchema => [item]

export function isList(s: FieldSchema): s is ListSchema {
  return Array.isArray(s)
}

export function isLeaf(s: FieldSchema): s is Leaf {
  return typeof s === 'string'
}

/** fields every leaf name in `names` maps to the same leaf: fields(int, 'a', 'b') → { a: int, b: int } */
export function fields(leaf: FieldSchema, ...names: string[]): ObjectSchema {
  return Object.fromEntries(names.map((n) => [n, leaf]))
}
