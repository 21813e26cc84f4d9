// core/v1 Service and Endpoints.
import type { LoadBalancerStatus } from './ingress.ts'
import type { IntOrString, KubeObject } from './meta.ts'
import type { Protocol } from './pod.ts'

export interface ServicePort {
  name?: string
  port: number
  targetPort?: IntOrString
  protocol?: Protocol
  appProtocol?: string
  nodePort?: number
}

/** LoadBalancer: a NodePort Service whose address an edge site's ingress nodes give */
export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer'

export interface ServiceSpec {
  selector?: Record<string, string>
  ports?: ServicePort[]
  type?: ServiceType
  clusterIP?: string
  externalIPs?: string[]
  sessionAffinity?: 'None' | 'ClientIP'
  sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } }
  /** every selected pod's address published as ready, ready or not */
  publishNotReadyAddresses?: boolean
}

export interface Service extends KubeObject {
  spec: ServiceSpec
  /** type LoadBalancer: the addresses of the site's ingress nodes (controllers/load-balancer.ts) */
  status?: { loadBalancer?: LoadBalancerStatus }
}

export interface ObjectReference {
  kind?: string
  namespace?: string
  name?: string
  uid?: string
  apiVersion?: string
  resourceVersion?: string
  fieldPath?: string
}

export interface EndpointAddress {
  ip: string
  hostname?: string
  nodeName?: string
  targetRef?: ObjectReference
}

export interface EndpointPort {
  name?: string
  port: number
  protocol?: Protocol
  appProtocol?: string
}

export interface EndpointSubset {
  addresses?: EndpointAddress[]
  notReadyAddresses?: EndpointAddress[]
  ports?: EndpointPort[]
}

export interface Endpoints extends KubeObject {
  subsets?: EndpointSubset[]
}
