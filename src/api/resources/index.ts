// src/api/resources — the kinds Shoal serves and where they live.
// Contract: the registry (group, version, kind, plural, scope, short names, categories, verbs and
// subresources, as Kubernetes gives them; discovery is built from it), the store key layout
// (/registry/<group>/<resource>/[<namespace>/]<name>), the versions served besides the storage
// version with their conversions (HorizontalPodAutoscaler autoscaling/v1 ↔ v2), the Scale
// subresource view, and what a delete does to an object's finalizers (deletion.ts). Lookups
// answer undefined for what is not served; the one throw is storeKey given a namespaced resource
// and no namespace (a programming error).

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
} from './registry.ts'
export {
  parseStoreKey,
  storeKey,
  storePrefix,
  type KeyedResource,
  type StoreKeyParts,
} from './store-keys.ts'
export { schemaName, toServedVersion, toStorageVersion } from './served-versions.ts'
export { hpaFromV1, hpaToV1 } from './hpa-conversion.ts'
export { scaleOf } from './scale.ts'
export {
  defaultPropagation,
  deletingWith,
  deletionFinalizers,
  hasPendingFinalizers,
  FOREGROUND_FINALIZER,
  NAMESPACE_FINALIZER,
  ORPHAN_FINALIZER,
  type Propagation,
} from './deletion.ts'
