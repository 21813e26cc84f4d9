// Who may do what: a pure function of the user and the request's attributes, in the spirit of
// Kubernetes RBAC (admin, viewer) plus the Node authorizer (a node sees and writes only what is
// bound to it). Denials carry a reason worded like kube-apiserver's. Every role may create the
// self-reviews (as system:basic-user grants in Kubernetes) and get any path that is no
// resource (discovery, /version, /metrics, image pulls); only admins may do more there.
// "*" in a review's verb, group or resource means all of them: allowed only if all would be.
// A join token (role join) may do one thing: POST /shoal/v1/join (JOIN_PATH), which hands out a
// node token; every other request, reviews and reads of open paths included, is denied.
// A node may get, update and patch its own Lease (kube-node-lease/<node>, coordination.k8s.io),
// as Kubernetes' NodeRestriction allows a kubelet its node lease, and no other Lease.
// A node may read (get, list, watch) what its agent and mesh need of everyone's: NODE_READABLE in
// the core group, and discovery.k8s.io EndpointSlices (NODE_READABLE_GROUPS) as it reads Endpoints.
// A node labelled for ingress may get the kubernetes.io/tls Secrets Ingresses name in their tls
// (ingressTlsOfNode), as any node may get the Secrets its pods use (referencedByNode).
// A node may POST /shoal/v1/node-certificate (NODE_CERTIFICATE_PATH): the renewal of its own
// certificate (the handler signs only for the calling node's name).
import { lookupTable } from '../../../api/index.ts'
import { ShoalError } from '../../../core/index.ts'
import type { User } from './tokens.ts'

export type Verb =
  'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection'

export interface Attributes {
  /** a Verb for real requests; a review may ask about any verb, or "*" */
  verb: string
  /** API group, '' for core */
  group: string
  resource: string
  subresource?: string
  namespace?: string
  name?: string
  /** pods only: spec.nodeName of the object concerned (or the spec.nodeName field selector of a
   * list/watch). For an update, authorize the old and the new object: both must pass. */
  nodeName?: string
  /** secrets and configmaps only: the server found a pod bound to the requesting node that references it */
  referencedByNode?: boolean
  /** secrets only: the requesting node is labelled for ingress and an Ingress names this
   * kubernetes.io/tls Secret in its tls (the node serves it on its TLS ingress listener) */
  ingressTlsOfNode?: boolean
}

/** a request for a path that is no resource: the verb is the HTTP method in lower case */
export interface NonResourceAttributes {
  verb: string
  path: string
}

export type Decision = { allowed: true } | { allowed: false; reason: string }

export const READ_VERBS: readonly Verb[] = ['get', 'list', 'watch']
export const NODE_READABLE: readonly string[] = ['nodes', 'services', 'endpoints', 'namespaces']
/** what a node may read in named groups: group → resources (no prototype: a group is the caller's word) */
export const NODE_READABLE_GROUPS = lookupTable<readonly string[]>({
  'discovery.k8s.io': ['endpointslices'],
})
/** what every authenticated user may create: group → resources (no prototype: a group is the caller's word) */
export const SELF_REVIEWS = lookupTable<readonly string[]>({
  'authorization.k8s.io': ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
  'authentication.k8s.io': ['selfsubjectreviews'],
})
/** the one request a join token may make */
export const JOIN_PATH = '/shoal/v1/join'
/** where node leases live: a node may read and renew its own there */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease'
export const NODE_LEASE_VERBS: readonly string[] = ['get', 'update', 'patch']
/** where a node renews its certificate */
export const NODE_CERTIFICATE_PATH = '/shoal/v1/node-certificate'
const JOIN_ONLY = 'a join token may only join a node (POST /shoal/v1/join)'
/** the non-resource verbs every authenticated user has */
export const NON_RESOURCE_READ: readonly string[] = ['get', 'head']

const READ: ReadonlySet<string> = new Set(READ_VERBS)
const NODE_READS: ReadonlySet<string> = new Set(NODE_READABLE)
const ALLOW: Decision = { allowed: true }

const isSelfReview = (a: Attributes) =>
  a.verb === 'create' && !a.subresource && (SELF_REVIEWS[a.group] ?? []).includes(a.resource)
/** the request concerns core secrets, or may (a "*" group or resource) */
const mayTouchSecrets = (a: Attributes) =>
  (a.group === '' || a.group === '*') && (a.resource === 'secrets' || a.resource === '*')

export function authorize(user: User, attrs: Attributes): Decision {
  if (user.role === 'admin') return ALLOW
  if (user.role === 'join') return deny(user, attrs, JOIN_ONLY)
  if (isSelfReview(attrs)) return ALLOW
  switch (user.role) {
    case 'viewer':
      if (!READ.has(attrs.verb)) return deny(user, attrs)
      return mayTouchSecrets(attrs) ? deny(user, attrs, 'viewers may not read secrets') : ALLOW
    case 'node':
      return user.node
        ? authorizeNode(user, user.node, attrs)
        : deny(user, attrs, 'node user without a node name')
  }
  return deny(user, attrs)
}

function authorizeNode(user: User, node: string, a: Attributes): Decision {
  const sub = a.subresource ?? ''
  if (
    a.verb === 'create' &&
    a.resource === 'events' &&
    (a.group === '' || a.group === 'events.k8s.io') &&
    !sub
  )
    return ALLOW
  if (a.group === 'coordination.k8s.io' && a.resource === 'leases') return ownLease(user, node, a)
  if (READ.has(a.verb) && !sub && (NODE_READABLE_GROUPS[a.group] ?? []).includes(a.resource))
    return ALLOW
  if (a.group !== '') return deny(user, a)
  if (READ.has(a.verb) && NODE_READS.has(a.resource) && !sub) return ALLOW
  switch (a.resource) {
    case 'nodes':
      // a create names no object yet: allowed here, and the handler admits only the node's own
      // name (as Kubernetes' NodeRestriction admission does); a review that names one is judged
      if (a.verb === 'create' && !sub) return a.name === undefined ? ALLOW : ownNode(user, node, a)
      if (
        (a.verb === 'get' || a.verb === 'update' || a.verb === 'patch') &&
        (sub === '' || sub === 'status')
      )
        return ownNode(user, node, a)
      break
    case 'pods':
      if (READ.has(a.verb) && !sub) return boundPod(user, node, a)
      if ((a.verb === 'update' || a.verb === 'patch') && sub === 'status')
        return boundPod(user, node, a)
      break
    case 'secrets':
    case 'configmaps':
      if (a.verb === 'get' && !sub && a.name) {
        return a.referencedByNode === true ||
          (a.resource === 'secrets' && a.ingressTlsOfNode === true)
          ? ALLOW
          : deny(user, a, `no relationship found between node '${node}' and this object`)
      }
      break
  }
  return deny(user, a)
}

function ownNode(user: User, node: string, a: Attributes): Decision {
  return a.name === node
    ? ALLOW
    : deny(user, a, `node '${node}' may only ${a.verb} its own Node object`)
}

function ownLease(user: User, node: string, a: Attributes): Decision {
  const own = a.namespace === NODE_LEASE_NAMESPACE && a.name === node && !a.subresource
  if (own && NODE_LEASE_VERBS.includes(a.verb)) return ALLOW
  return deny(
    user,
    a,
    `node '${node}' may only ${NODE_LEASE_VERBS.join(', ')} its own Lease (${NODE_LEASE_NAMESPACE}/${node})`,
  )
}

function boundPod(user: User, node: string, a: Attributes): Decision {
  if (a.nodeName === node) return ALLOW
  const what = a.name ? 'this object' : `pods not selected by spec.nodeName=${node}`
  return deny(user, a, `no relationship found between node '${node}' and ${what}`)
}

function deny(user: User, a: Attributes, why?: string): Decision {
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope'
  const base = `User "${user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.group}" ${scope}`
  return { allowed: false, reason: why ? `${base}: ${why}` : base }
}

export function authorizeNonResource(user: User, attrs: NonResourceAttributes): Decision {
  if (user.role === 'join')
    return attrs.verb === 'post' && attrs.path === JOIN_PATH
      ? ALLOW
      : {
          allowed: false,
          reason: `User "${user.name}" cannot ${attrs.verb} path "${attrs.path}": ${JOIN_ONLY}`,
        }
  if (user.role === 'admin' || NON_RESOURCE_READ.includes(attrs.verb)) return ALLOW
  if (
    user.role === 'node' &&
    user.node &&
    attrs.verb === 'post' &&
    attrs.path === NODE_CERTIFICATE_PATH
  )
    return ALLOW
  return { allowed: false, reason: `User "${user.name}" cannot ${attrs.verb} path "${attrs.path}"` }
}

/** kube-apiserver's 403 for a path that is no resource: `forbidden: User "…" cannot post path "/x"` */
export function forbiddenPathError(reason: string): ShoalError {
  return new ShoalError('Forbidden', `forbidden: ${reason}`)
}

/** The 403 error kube-apiserver would send: `pods "web" is forbidden: User "…" cannot …`. */
export function forbiddenError(attrs: Attributes, reason: string): ShoalError {
  const qualified = attrs.group ? `${attrs.resource}.${attrs.group}` : attrs.resource
  const subject = attrs.name ? `${qualified} "${attrs.name}"` : qualified
  return new ShoalError('Forbidden', `${subject} is forbidden: ${reason}`)
}

/** The 401 error for a missing or unknown bearer token (kubectl: "You must be logged in"). */
export function unauthorizedError(): ShoalError {
  return new ShoalError('Unauthorized', 'Unauthorized')
}
