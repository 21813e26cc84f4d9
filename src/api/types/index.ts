// src/api/types — the Kubernetes-shaped resource types, and nothing else: no values, no logic.
// Contract: field names and JSON shapes are Kubernetes' own (metav1, core/v1, apps/v1, batch/v1,
// autoscaling/v2 and v1, coordination.k8s.io/v1, discovery.k8s.io/v1, networking.k8s.io/v1), so stock kubectl reads and writes them unchanged; responses.ts holds
// the shapes answers come in besides objects (Status, Table, WatchEvent). Imports no other room.

export type * from './meta.ts'
export type * from './pod.ts'
export type * from './node.ts'
export type * from './service.ts'
export type * from './endpointslice.ts'
export type * from './ingress.ts'
export type * from './configmap-secret.ts'
export type * from './event.ts'
export type * from './workloads.ts'
export type * from './cronjob.ts'
export type * from './autoscaling.ts'
export type * from './lease.ts'
export type * from './responses.ts'
