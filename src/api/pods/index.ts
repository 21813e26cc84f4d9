// src/api/pods — what Kubernetes works out from a pod spec rather than reads from it.
// Contract: a pod's quality-of-service class (qos.GetPodQOS), and the Secrets and ConfigMaps it
// names wherever a spec can name them (env, envFrom, volumes, imagePullSecrets, every kind of
// container), as the node authorizer walks them. Pure functions of the spec.

export { podQosClass } from './pod-qos.ts'
export { podReferences, type PodReferences } from './pod-refs.ts'
