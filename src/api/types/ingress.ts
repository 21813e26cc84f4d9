// networking.k8s.io/v1 Ingress: host and path rules that send traffic from outside the fleet to
// Services, TLS from Secrets of type kubernetes.io/tls. Shoal's mesh serves them (src/mesh).
import type { KubeObject } from './meta.ts'

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific'

/** exactly one of name and number */
export interface ServiceBackendPort {
  name?: string
  number?: number
}

export interface IngressServiceBackend {
  name: string
  port: ServiceBackendPort
}

/** exactly one of service and resource (Shoal routes only to Services) */
export interface IngressBackend {
  service?: IngressServiceBackend
  resource?: { apiGroup?: string; kind: string; name: string }
}

export interface HTTPIngressPath {
  path?: string
  pathType: PathType
  backend: IngressBackend
}

export interface IngressRule {
  /** a DNS name, or `*.` and one (matches exactly one more label); absent: any host */
  host?: string
  http?: { paths: HTTPIngressPath[] }
}

export interface IngressTLS {
  hosts?: string[]
  /** a Secret of type kubernetes.io/tls in the Ingress's namespace */
  secretName?: string
}

export interface IngressSpec {
  ingressClassName?: string
  defaultBackend?: IngressBackend
  tls?: IngressTLS[]
  rules?: IngressRule[]
}

export interface LoadBalancerIngress {
  ip?: string
  hostname?: string
  ports?: { port: number; protocol: string; error?: string }[]
}

export interface LoadBalancerStatus {
  ingress?: LoadBalancerIngress[]
}

export interface Ingress extends KubeObject {
  spec: IngressSpec
  status?: { loadBalancer?: LoadBalancerStatus }
}
