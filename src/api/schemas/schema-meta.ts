// Field schemas of metav1 (ObjectMeta, owner references, managed fields, label selectors,
// conditions) and of core/v1 ObjectReference: the pieces every kind shares.
import {
  bool,
  fields,
  int64,
  listOf,
  map,
  obj,
  str,
  strs,
  time,
  type ObjectSchema,
} from './field-schema.ts'

export const ownerReference: ObjectSchema = {
  ...fields(str, 'apiVersion', 'kind', 'name', 'uid'),
  ...fields(bool, 'controller', 'blockOwnerDeletion'),
}

export const managedFieldsEntry: ObjectSchema = {
  ...fields(str, 'manager', 'operation', 'apiVersion', 'fieldsType', 'subresource'),
  time,
  fieldsV1: obj,
}

export const objectMeta: ObjectSchema = {
  ...fields(str, 'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion'),
  generation: int64,
  ...fields(time, 'creationTimestamp', 'deletionTimestamp'),
  deletionGracePeriodSeconds: int64,
  labels: map,
  annotations: map,
  ownerReferences: listOf(ownerReference),
  finalizers: strs,
  managedFields: listOf(managedFieldsEntry),
}

export const labelSelector: ObjectSchema = {
  matchLabels: map,
  matchExpressions: listOf({ key: str, operator: str, values: strs }),
}

/** the union of every kind's condition fields */
export const condition: ObjectSchema = {
  ...fields(str, 'type', 'status', 'reason', 'message'),
  ...fields(time, 'lastTransitionTime', 'lastUpdateTime', 'lastHeartbeatTime', 'lastProbeTime'),
  observedGeneration: int64,
}

export const conditions = listOf(condition)

export const objectReference: ObjectSchema = fields(
  str,
  'kind',
  'namespace',
  'name',
  'uid',
  'apiVersion',
  'resourceVersion',
  'fieldPath',
)

/** a top-level kind: type meta, object meta and the kind's own fields */
export function kindSchema(own: ObjectSchema): ObjectSchema {
  return { apiVersion: str, kind: str, metadata: objectMeta, ...own }
}
