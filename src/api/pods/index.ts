// src/api/pods — what Kubernetes works out from a pod spec rather than reads from it.
// Contract: a pod's quality-of-service class (qos.GetPodQOS), and the Secrets and ConfigMaps it
// names wherever a spec can name them (env, envFrom, volumes, imagePullSecrets, every kind of
// container), as the node authorizer walks them; and where a pod may go (pod-placement.ts):
// its nodeSelector and required node affinity against a node, its tolerations against taints —
// what the scheduler and the DaemonSet controller both ask. Pure functions of the spec.

export { podQosClass } from './pod-qos.ts'
export { podReferences, type PodReferences } from './pod-refs.ts'
export {
  fitsNodeAffinity,
  nodeSelectorTermHolds,
  requirementHolds,
  tolerates,
  toleratesTaint,
  untoleratedTaint,
  type NodeIdentity,
} from './pod-placement.ts'
