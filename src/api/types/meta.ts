// metav1: the metadata every object carries, list metadata, label selectors and conditions.
// Field names and shapes are Kubernetes' own, so kubectl reads and writes them unchanged.

export interface TypeMeta {
  apiVersion?: string
  kind?: string
}

export interface OwnerReference {
  apiVersion: string
  kind: string
  name: string
  uid: string
  controller?: boolean
  blockOwnerDeletion?: boolean
}

/** Which manager owns which fields (server-side apply); fieldsV1 is Kubernetes' field set. */
export interface ManagedFieldsEntry {
  manager?: string
  operation?: 'Apply' | 'Update'
  apiVersion?: string
  time?: string
  fieldsType?: 'FieldsV1'
  fieldsV1?: Record<string, unknown>
  subresource?: string
}

export interface ObjectMeta {
  name?: string
  generateName?: string
  namespace?: string
  uid?: string
  resourceVersion?: string
  generation?: number
  /** RFC 3339, e.g. "2026-01-02T03:04:05Z" */
  creationTimestamp?: string
  deletionTimestamp?: string
  deletionGracePeriodSeconds?: number
  labels?: Record<string, string>
  annotations?: Record<string, string>
  ownerReferences?: OwnerReference[]
  finalizers?: string[]
  managedFields?: ManagedFieldsEntry[]
}

export interface ListMeta {
  resourceVersion?: string
  continue?: string
  remainingItemCount?: number
}

/** Any stored object: type meta plus object meta. Kinds add spec/status/data. */
export interface KubeObject extends TypeMeta {
  metadata: ObjectMeta
}

export interface List<T> extends TypeMeta {
  metadata: ListMeta
  items: T[]
}

export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'

export interface LabelSelectorRequirement {
  key: string
  operator: LabelSelectorOperator
  values?: string[]
}

export interface LabelSelector {
  matchLabels?: Record<string, string>
  matchExpressions?: LabelSelectorRequirement[]
}

export type ConditionStatus = 'True' | 'False' | 'Unknown'

/** The common condition shape; kinds use the timestamp fields they need. */
export interface Condition {
  type: string
  status: ConditionStatus
  reason?: string
  message?: string
  lastTransitionTime?: string
  lastUpdateTime?: string
  lastHeartbeatTime?: string
  lastProbeTime?: string
  observedGeneration?: number
}

/** A resource quantity as it appears on the wire: "100m", "64Mi", 2. */
export type Quantity = string | number

/** An int-or-string: a port number or a port name, a count or a percentage ("25%"). */
export type IntOrString = number | string

export type ResourceList = Record<string, Quantity>
