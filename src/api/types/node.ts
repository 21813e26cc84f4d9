// core/v1 Node and Namespace: the cluster-scoped kinds.
import type { Condition, KubeObject, ResourceList } from './meta.ts'
import type { TaintEffect } from './pod.ts'

export interface Taint {
  key: string
  value?: string
  effect: TaintEffect
  timeAdded?: string
}

export interface NodeSpec {
  unschedulable?: boolean
  taints?: Taint[]
  podCIDR?: string
}

export interface NodeAddress {
  type: 'InternalIP' | 'ExternalIP' | 'Hostname' | 'InternalDNS' | 'ExternalDNS'
  address: string
}

export interface NodeSystemInfo {
  machineID?: string
  bootID?: string
  kernelVersion?: string
  osImage?: string
  containerRuntimeVersion?: string
  kubeletVersion?: string
  operatingSystem?: string
  architecture?: string
}

export interface NodeStatus {
  /** cpu, memory and pods, as Kubernetes reports them */
  capacity?: ResourceList
  allocatable?: ResourceList
  conditions?: Condition[]
  addresses?: NodeAddress[]
  nodeInfo?: NodeSystemInfo
  /** the images the node holds (Shoal: component digests, from its heartbeats) */
  images?: ContainerImage[]
}

export interface ContainerImage {
  names?: string[]
  sizeBytes?: number
}

export interface Node extends KubeObject {
  spec?: NodeSpec
  status?: NodeStatus
}

export interface Namespace extends KubeObject {
  spec?: { finalizers?: string[] }
  status?: { phase?: 'Active' | 'Terminating'; conditions?: Condition[] }
}
