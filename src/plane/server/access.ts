// Authentication and authorization of API requests: bearer tokens from the token store, then
// the role rules of security/authorizer.ts, for real requests and access reviews alike. For node
// users the server supplies what the rules need: the spec.nodeName of the pod concerned (or of
// the list's field selector), and whether a secret or configmap is referenced by a pod bound to
// that node (api/pods/pod-refs.ts: env, envFrom, volumes and projected volumes of every container)
// or, for a Secret, whether the node serves an Ingress's TLS with it (ingress-secrets.ts).
import { parseFieldSelector, podReferences, resourceByKind, type Pod } from '../../api/index.ts'
import type { Caller } from './resource-handler.ts'
import { servesIngressTls } from './ingress-secrets.ts'
import type { ObjectStore } from './object-store.ts'
import {
  authorize,
  authorizeNonResource,
  forbiddenError,
  type Attributes,
  type Decision,
  type NonResourceAttributes,
  type TokenStore,
  type User,
} from './security/index.ts'

/** what a resource request (or a review asking about one) is about; RequestInfo has it all */
export type ResourceRequest = Omit<Attributes, 'nodeName' | 'referencedByNode' | 'ingressTlsOfNode'>

export interface Access {
  authenticate(authorization: string | undefined): Caller | undefined
  /** the authorizer's decision; for node callers the facts their rules need are loaded first */
  decide(caller: Caller, req: ResourceRequest, query: URLSearchParams): Promise<Decision>
  /** the decision for a path that is no resource (discovery, /metrics, /images, …) */
  decideNonResource(caller: Caller, req: NonResourceAttributes): Decision
  /** decide(), and the 403 kube-apiserver would send when denied */
  authorize(caller: Caller, req: ResourceRequest, query: URLSearchParams): Promise<void>
}

/** the caller of a plane without authentication (--insecure-http on loopback) */
export const anonymousAdmin: Caller = {
  name: 'system:anonymous-admin',
  groups: ['system:masters'],
  role: 'admin',
}

export const userOf = (caller: Caller): User => ({
  name: caller.name,
  groups: caller.groups,
  role: caller.role ?? 'viewer',
  node: caller.node,
})

export function createAccess(tokens: TokenStore, objects: ObjectStore): Access {
  return accessWith(objects, (h) => {
    const u = tokens.authenticate(h)
    return u && { name: u.name, groups: u.groups, role: u.role, node: u.node }
  })
}

/** no authentication: every request is the anonymous admin's (still decided by the authorizer) */
export function openAccess(objects: ObjectStore): Access {
  return accessWith(objects, () => anonymousAdmin)
}

function accessWith(objects: ObjectStore, authenticate: Access['authenticate']): Access {
  const decide: Access['decide'] = async (caller, req, query) => {
    const user = userOf(caller)
    const attrs: Attributes = {
      verb: req.verb,
      group: req.group,
      resource: req.resource,
      subresource: req.subresource,
      namespace: req.namespace,
      name: req.name,
    }
    if (user.role === 'node' && req.group === '')
      await addNodeFacts(objects, user.node ?? '', attrs, query)
    return authorize(user, attrs)
  }
  return {
    authenticate,
    decide,
    decideNonResource: (caller, req) => authorizeNonResource(userOf(caller), req),
    async authorize(caller, req, query) {
      const d = await decide(caller, req, query)
      if (!d.allowed) throw forbiddenError(req, d.reason)
    },
  }
}

async function addNodeFacts(
  objects: ObjectStore,
  node: string,
  attrs: Attributes,
  query: URLSearchParams,
): Promise<void> {
  const pods = resourceByKind('Pod')!
  if (attrs.resource === 'pods') {
    if (attrs.name && attrs.namespace) {
      const pod = (await objects.get(pods, { namespace: attrs.namespace, name: attrs.name })) as
        Pod | undefined
      attrs.nodeName = pod?.spec?.nodeName
    } else {
      const fs = parseFieldSelector(query.get('fieldSelector') ?? '', 'Pod')
      const req = fs.ok
        ? fs.value.find((r) => r.field === 'spec.nodeName' && r.operator !== '!=')
        : undefined
      attrs.nodeName = req?.value
    }
  }
  if (
    (attrs.resource === 'secrets' || attrs.resource === 'configmaps') &&
    attrs.name &&
    attrs.namespace
  ) {
    const bound = await objects.list(pods, {
      namespace: attrs.namespace,
      filter: (p) => (p as Pod).spec?.nodeName === node,
    })
    attrs.referencedByNode = bound.items.some((p) =>
      referencedBy(p as Pod, attrs.resource, attrs.name!),
    )
    if (!attrs.referencedByNode && attrs.resource === 'secrets')
      attrs.ingressTlsOfNode = await servesIngressTls(objects, node, {
        namespace: attrs.namespace,
        name: attrs.name,
      })
  }
}

/** the pod's spec names the secret (resource "secrets") or configmap ("configmaps") anywhere */
export function referencedBy(pod: Pod, resource: string, name: string): boolean {
  const refs = podReferences(pod)
  return (resource === 'secrets' ? refs.secrets : refs.configMaps).has(name)
}
