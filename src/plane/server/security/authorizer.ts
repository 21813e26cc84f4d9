// Who may do what: a pure function of the user and the request's attributes, in the spirit of
// Kubernetes RBAC (admin, viewer) plus the Node authorizer (a node sees and writes only what is
// bound to it). Denials carry a reason worded like kube-apiserver's.
import { ShoalError } from '../../../core/index.ts'
import type { User } from './tokens.ts'

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection'

export interface Attributes {
  verb: Verb
  /** API group, '' for core */
  group: string
  resource: string
  subresource?: string
  namespace?: string
  name?: string
  /** pods only: spec.nodeName of the object concerned (or the spec.nodeName field selector of a
   * list/watch). For an update, authorize the old and the new object: both must pass. */
  nodeName?: string
  /** secrets only: the server found a pod bound to the requesting node that references it */
  referencedByNode?: boolean
}

export type Decision = { allowed: true } | { allowed: false; reason: string }

const READ: ReadonlySet<Verb> = new Set(['get', 'list', 'watch'])
const NODE_READABLE = new Set(['nodes', 'services', 'endpoints', 'configmaps', 'namespaces'])
const ALLOW: Decision = { allowed: true }

export function authorize(user: User, attrs: Attributes): Decision {
  switch (user.role) {
    case 'admin':
      return ALLOW
    case 'viewer':
      if (!READ.has(attrs.verb)) return deny(user, attrs)
      return attrs.group === '' && attrs.resource === 'secrets' ? deny(user, attrs, 'viewers may not read secrets') : ALLOW
    case 'node':
      return user.node ? authorizeNode(user, user.node, attrs) : deny(user, attrs, 'node user without a node name')
  }
  return deny(user, attrs)
}

function authorizeNode(user: User, node: string, a: Attributes): Decision {
  const sub = a.subresource ?? ''
  if (a.verb === 'create' && a.resource === 'events' && (a.group === '' || a.group === 'events.k8s.io') && !sub) return ALLOW
  if (a.group !== '') return deny(user, a)
  if (READ.has(a.verb) && NODE_READABLE.has(a.resource) && !sub) return ALLOW
  switch (a.resource) {
    case 'nodes':
      if (a.verb === 'create' && !sub) return ownNode(user, node, a)
      if ((a.verb === 'get' || a.verb === 'update' || a.verb === 'patch') && (sub === '' || sub === 'status')) return ownNode(user, node, a)
      break
    case 'pods':
      if (READ.has(a.verb) && !sub) return boundPod(user, node, a)
      if ((a.verb === 'update' || a.verb === 'patch') && sub === 'status') return boundPod(user, node, a)
      break
    case 'secrets':
      if (a.verb === 'get' && !sub && a.name) {
        return a.referencedByNode === true ? ALLOW : deny(user, a, `no relationship found between node '${node}' and this object`)
      }
      break
  }
  return deny(user, a)
}

function ownNode(user: User, node: string, a: Attributes): Decision {
  return a.name === node ? ALLOW : deny(user, a, `node '${node}' may only ${a.verb} its own Node object`)
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
