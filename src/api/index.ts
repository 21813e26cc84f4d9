// src/api — the bottom layer, shared by the plane, the node agent, the mesh and the CLI.
// Contract: Kubernetes-shaped resource types (same field names and JSON shapes, so stock
// kubectl reads and writes them), the resource registry and store key layout, defaults,
// validation that returns every problem as { field, message } causes with Kubernetes' field
// paths, each kind's field schema (unknown and duplicate fields for fieldValidation),
// label/field selectors, JSON / merge / strategic merge patches, quantities and server-side
// Table printing. Pure: no I/O, no node: imports, imports nothing of ours.
// Expected failures are values (ParseResult / PatchResult / FieldCause[]), never throws; the one
// throw is storeKey given a namespaced resource and no namespace (a programming error).

export type * from './meta.ts'
export type * from './pod.ts'
export type * from './node.ts'
export type * from './service.ts'
export type * from './config.ts'
export type * from './workloads.ts'
export type * from './autoscaling.ts'
export type * from './wire.ts'

export {
  allResources,
  apiVersionOf,
  groupVersions,
  parseApiVersion,
  resolveResource,
  resourceByKind,
  resourceByPlural,
  resourceByShortName,
  resourceFor,
  resourceForObject,
  resourcesInCategory,
  servedResources,
  storageResource,
  type GroupVersionKind,
  type ResourceInfo,
  type SubresourceInfo,
} from './resources.ts'
export { schemaName, toServedVersion, toStorageVersion } from './served-versions.ts'
export { hpaFromV1, hpaToV1 } from './hpa-conversion.ts'
export {
  parseStoreKey,
  storeKey,
  storePrefix,
  type KeyedResource,
  type StoreKeyParts,
} from './store-keys.ts'

export {
  formatCpu,
  formatMemory,
  isQuantity,
  parseCpu,
  parseMemory,
  parseQuantity,
} from './quantity.ts'
export { parseImageRef, type ImageRef } from './image-ref.ts'
export { fromBase64, toBase64 } from './base64.ts'

export { applyDefaults, fillDefaults } from './defaults.ts'
export { validate } from './validate.ts'
export { validateUpdate } from './validate-update.ts'
export { invalidMessage, statusCauses, type FieldCause } from './field-errors.ts'
export type { FieldSchema, Leaf, ListSchema, ObjectSchema } from './field-schema.ts'
export { pruneUnknown, schemaFor, unknownFields } from './unknown-fields.ts'
export { numberProblem } from './number-fields.ts'
export {
  kindOpenApiSchema,
  openApiSchema,
  sharedOpenApiSchemas,
  type OpenApiSchema,
} from './openapi-schema.ts'
export { lazyJsonKeys, scanJsonKeys, type JsonKeys } from './json-duplicates.ts'
export { checkBodyTree, MAX_NESTING, tooDeep, type BodyCheck } from './body-check.ts'
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
export {
  configMapKey,
  dns1035Label,
  dns1123Label,
  dns1123Subdomain,
  envVarName,
  ianaServiceName,
  isIP,
  labelValue,
  qualifiedKey,
} from './name-rules.ts'

export {
  formatRequirements,
  labelSelectorRequirements,
  labelSelectorToString,
  matchesLabels,
  matchesLabelSelector,
  parseLabelSelector,
  type ParseResult,
  type Requirement,
  type SelectorOperator,
} from './label-selector.ts'
export {
  fieldValue,
  matchesFields,
  parseFieldSelector,
  selectableFields,
  type FieldRequirement,
} from './field-selector.ts'

export { applyJsonPatch, parsePointer, type JsonPatchOperation } from './json-patch.ts'
export { applyMergePatch } from './merge-patch.ts'
export { applyStrategicMergePatch } from './strategic-merge-patch.ts'
export { applyPatch, patchTypeFor, type PatchType } from './patch.ts'
export { copyOwn, isObject, lookupTable, own, put } from './json-value.ts'
export type { PatchResult } from './json-value.ts'
export { scaleOf } from './scale.ts'
export { podQosClass } from './pod-qos.ts'
export { podReferences, type PodReferences } from './pod-refs.ts'

export { ageSince, humanDuration } from './age.ts'
export { tableColumns } from './table-columns.ts'
export { tableRow, toTable } from './table.ts'
