// src/api/schemas — each kind's field schema: which fields it has, nested, as Kubernetes names
// them (v1.32), and what is derived from it.
// Contract: unknown fields found and pruned with Kubernetes' paths; numbers that do not fit
// their Go type named; duplicate and unknown fields worded and ordered as kube-apiserver words
// them for fieldValidation (Strict / Warn / Ignore); the OpenAPI v3 schemas `kubectl explain`
// reads. Problems are values; the server decides what to do with them.

export type { FieldSchema, Leaf, ListSchema, ObjectSchema } from './field-schema.ts'
export { pruneUnknown, schemaFor, unknownFields } from './unknown-fields.ts'
export { numberProblem } from './number-fields.ts'
export {
  kindOpenApiSchema,
  openApiSchema,
  sharedOpenApiSchemas,
  type OpenApiSchema,
} from './openapi-schema.ts'
export {
  appliedUnknownError,
  applyProblems,
  objectProblems,
  parseFieldValidation,
  patchProblems,
  warningHeader,
  type BodySource,
  type FieldProblems,
  type FieldValidation,
  type YamlDuplicate,
} from './field-validation.ts'
