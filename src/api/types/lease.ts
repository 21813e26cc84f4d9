// coordination.k8s.io/v1 Lease: who holds something, until when. The plane keeps one per node in
// kube-node-lease (holder the node, renewed from its heartbeats), as Kubernetes' node leases.
import type { KubeObject } from './meta.ts'

export interface LeaseSpec {
  holderIdentity?: string
  leaseDurationSeconds?: number
  /** MicroTime: RFC 3339 with microseconds, "2024-05-01T10:00:00.000000Z" */
  acquireTime?: string
  renewTime?: string
  leaseTransitions?: number
  strategy?: string
  preferredHolder?: string
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec
}
