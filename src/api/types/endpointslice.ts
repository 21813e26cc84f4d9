// discovery.k8s.io/v1 EndpointSlice: a part of a Service's endpoints (at most 1000 a slice; the
// EndpointSlice controller puts 100 in each), labelled kubernetes.io/service-name.
import type { KubeObject } from './meta.ts'
import type { Protocol } from './pod.ts'
import type { ObjectReference } from './service.ts'

export type AddressType = 'IPv4' | 'IPv6' | 'FQDN'

/** nil means unknown: consumers read an unknown ready as ready, serving as ready */
export interface EndpointConditions {
  ready?: boolean
  serving?: boolean
  terminating?: boolean
}

export interface EndpointHints {
  forZones?: { name: string }[]
}

/** discovery/v1 Endpoint: one backend, its addresses fungible */
export interface SliceEndpoint {
  addresses: string[]
  conditions?: EndpointConditions
  hostname?: string
  targetRef?: ObjectReference
  /** ignored on write through v1 */
  deprecatedTopology?: Record<string, string>
  nodeName?: string
  zone?: string
  hints?: EndpointHints
}

/** discovery/v1 EndpointPort: name "" when the Service port has none; no port means all ports */
export interface SlicePort {
  name?: string
  protocol?: Protocol
  port?: number
  appProtocol?: string
}

export interface EndpointSlice extends KubeObject {
  addressType: AddressType
  endpoints: SliceEndpoint[]
  ports?: SlicePort[]
}
