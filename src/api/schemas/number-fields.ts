// Numbers a kind's schema types as integers must fit their Go type, as Kubernetes' decoder
// insists ("cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas
// of type int32"): int32 fields within ±2^31, int64 fields whole and exact (a JavaScript number
// keeps integers exactly only up to 2^53), and no number infinite (JSON's 1e400 parses as
// Infinity). Free-form values (labels, annotations, opaque objects) are not looked into.
import { isObject } from '../json/index.ts'
import { isLeaf, isList, type FieldSchema } from './field-schema.ts'
import { schemaFor } from './unknown-fields.ts'

const INT32_MAX = 2 ** 31 - 1
const INT32_MIN = -(2 ** 31)

function leafProblem(leaf: string, v: number): string | undefined {
  if (!Number.isFinite(v)) return 'a number out of range (larger than any number type)'
  if (leaf === 'integer' && !(Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX))
    return `number ${v} into a field of type int32`
  if (leaf === 'int64' && !Number.isSafeInteger(v))
    return `number ${v} into a field of type int64 (whole numbers up to ±2^53 are kept exactly)`
  return undefined
}

function walk(schema: FieldSchema, value: unknown, path: string): string | undefined {
  if (isLeaf(schema)) {
    if (typeof value !== 'number') return undefined
    const problem = leafProblem(schema, value)
    return problem && `cannot unmarshal ${problem}: ${path}`
  }
  if (isList(schema)) {
    if (!Array.isArray(value)) return undefined
    for (let i = 0; i < value.length; i++) {
      const p = walk(schema[0], value[i], `${path}[${i}]`)
      if (p) return p
    }
    return undefined
  }
  if (!isObject(value)) return undefined
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(schema, key)) continue
    const p = walk(schema[key], value[key], path ? `${path}.${key}` : key)
    if (p) return p
  }
  return undefined
}

/**
 * The first number in `obj` that does not fit its field's type, in words
 * ("cannot unmarshal number 2147483648 into a field of type int32: spec.replicas"); undefined
 * when all fit. `kind` is the schemaName (resources/served-versions.ts).
 */
export function numberProblem(kind: string, obj: unknown): string | undefined {
  const schema = schemaFor(kind)
  return schema && walk(schema, obj, '')
}
