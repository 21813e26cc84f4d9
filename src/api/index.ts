// src/api — the bottom layer, shared by the plane, the node agent, the mesh and the CLI.
// Contract: Kubernetes-shaped resource types (same field names and JSON shapes, so stock
// kubectl reads and writes them), the resource registry and store key layout, defaults,
// validation that returns every problem as { field, message } causes with Kubernetes' field
// paths, each kind's field schema (unknown and duplicate fields for fieldValidation),
// label/field selectors, JSON / merge / strategic merge patches, quantities and server-side
// Table printing. Pure: no I/O, no node: imports, imports nothing of ours.
// Expected failures are values (ParseResult / PatchResult / FieldCause[]), never throws; the one
// throw is storeKey given a namespaced resource and no namespace (a programming error).
//
// This file is the one surface for the rest of the tree. Inside, one folder per room, each with
// an index.ts stating its contract; a file imports its siblings directly and other rooms only
// through their index.ts, and the rooms form no cycle (layout.test.ts checks it). Each room
// below imports only rooms listed above it:
//   types, json                  the resource types; plain JSON values and request bodies
//   formats                      name rules, quantities, image references, base64
//   selectors, patches           label / field selectors; JSON, merge, strategic merge patches
//   defaults, pods               defaults; a pod's QoS class and the Secrets/ConfigMaps it names
//   resources                    registry, store keys, served versions, the Scale view
//   validation, tables           FieldCause and validate / validateUpdate; server-side printing
//   schemas                      field schemas: unknown fields, fieldValidation, OpenAPI
//   node-protocol                the plane ↔ node MQTT channel: topics, messages, their checks

export type * from './types/index.ts'

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
  schemaName,
  toServedVersion,
  toStorageVersion,
  hpaFromV1,
  hpaToV1,
  parseStoreKey,
  storeKey,
  storePrefix,
  type KeyedResource,
  type StoreKeyParts,
  scaleOf,
  defaultPropagation,
  deletingWith,
  deletionFinalizers,
  hasPendingFinalizers,
  FOREGROUND_FINALIZER,
  NAMESPACE_FINALIZER,
  ORPHAN_FINALIZER,
  type Propagation,
} from './resources/index.ts'

export {
  formatCpu,
  formatMemory,
  isQuantity,
  parseCpu,
  parseMemory,
  parseQuantity,
  parseImageRef,
  type ImageRef,
  fromBase64,
  toBase64,
  parseCronSchedule,
  type CronSchedule,
  configMapKey,
  dns1035Label,
  dns1123Label,
  dns1123Subdomain,
  envVarName,
  ianaServiceName,
  isIP,
  labelValue,
  qualifiedKey,
  DEFAULT_NODE_PORT_RANGE,
  parseNodePortRange,
  type NodePortRange,
} from './formats/index.ts'

export { applyDefaults, fillDefaults } from './defaults/index.ts'
export {
  validate,
  validateUpdate,
  invalidMessage,
  statusCauses,
  type FieldCause,
} from './validation/index.ts'
export {
  type FieldSchema,
  type Leaf,
  type ListSchema,
  type ObjectSchema,
  pruneUnknown,
  schemaFor,
  unknownFields,
  numberProblem,
  kindOpenApiSchema,
  openApiSchema,
  sharedOpenApiSchemas,
  type OpenApiSchema,
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
} from './schemas/index.ts'
export {
  lazyJsonKeys,
  scanJsonKeys,
  type JsonKeys,
  checkBodyTree,
  MAX_NESTING,
  tooDeep,
  type BodyCheck,
  copyOwn,
  deepEqual,
  isObject,
  lookupTable,
  own,
  put,
  type PatchResult,
} from './json/index.ts'

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
  fieldValue,
  matchesFields,
  parseFieldSelector,
  selectableFields,
  type FieldRequirement,
} from './selectors/index.ts'

export {
  applyJsonPatch,
  parsePointer,
  type JsonPatchOperation,
  applyMergePatch,
  applyStrategicMergePatch,
  applyPatch,
  patchTypeFor,
  type PatchType,
} from './patches/index.ts'
export {
  podQosClass,
  podReferences,
  type PodReferences,
  fitsNodeAffinity,
  nodeSelectorTermHolds,
  requirementHolds,
  tolerates,
  toleratesTaint,
  untoleratedTaint,
  type NodeIdentity,
} from './pods/index.ts'
export { ageSince, humanDuration, tableColumns, tableRow, toTable } from './tables/index.ts'

export {
  everyNode,
  FROM_NODE,
  INGRESS_NODE_LABEL,
  ingressAddresses,
  isTopicSafe,
  MAX_MESSAGE_BYTES,
  meshServiceKey,
  nodeClientId,
  MESH_LATENCY_BUCKETS_MS,
  nodeMay,
  nodeTopic,
  OFFLINE,
  ONLINE,
  parseFromNode,
  parseNodeTopic,
  parseToNode,
  PROTOCOL_VERSION,
  TO_NODE,
  TOPIC_ROOT,
  type FromNodeLeaf,
  type Parsed,
  type ToNodeLeaf,
} from './node-protocol/index.ts'
export type * from './node-protocol/index.ts'
