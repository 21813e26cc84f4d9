// Authentication and authorization of API requests: bearer tokens from the token store, then
// the role rules of security/authorizer.ts. For node users the server supplies what the rules
// need: the spec.nodeName of the pod concerned (or of the list's field selector), and whether a
// secret is referenced by a pod bound to that node.
import { parseFieldSelector, resourceByKind, type Pod } from '../../api/index.ts'
import type { Caller } from './resource-handler.ts'
import type { ObjectStore } from './object-store.ts'
import type { RequestInfo } from './request-info.ts'
import { authorize, forbiddenError, type Attributes, type TokenStore, type User } from './security/index.ts'

export interface Access {
  authenticate(authorization: string | undefined): Caller | undefined
  authorize(caller: Caller, req: RequestInfo, query: URLSearchParams): Promise<void>
}

export function createAccess(tokens: TokenStore, objects: ObjectStore): Access {
  return {
    authenticate(h) {
      const u = tokens.authenticate(h)
      return u && { name: u.name, groups: u.groups, role: u.role, node: u.node }
    },
    async authorize(caller, ri, query) {
      const user: User = { name: caller.name, groups: caller.groups, role: caller.role ?? 'viewer', node: caller.node }
      const attrs: Attributes = { verb: ri.verb, group: ri.group, resource: ri.resource, subresource: ri.subresource, namespace: ri.namespace, name: ri.name }
      if (user.role === 'node' && ri.group === '') await addNodeFacts(objects, user.node ?? '', attrs, query)
      const d = authorize(user, attrs)
      if (!d.allowed) throw forbiddenError(attrs, d.reason)
    },
  }
}

async function addNodeFacts(objects: ObjectStore, node: string, attrs: Attributes, query: URLSearchParams): Promise<void> {
  const pods = resourceByKind('Pod')!
  if (attrs.resource === 'pods') {
    if (attrs.name && attrs.namespace) {
      const pod = (await objects.get(pods, { namespace: attrs.namespace, name: attrs.name })) as Pod | undefined
      attrs.nodeName = pod?.spec?.nodeName
    } else {
      const fs = parseFieldSelector(query.get('fieldSelector') ?? '', 'Pod')
      const req = fs.ok ? fs.value.find((r) => r.field === 'spec.nodeName' && r.operator !== '!=') : undefined
      attrs.nodeName = req?.value
    }
  }
  if (attrs.resource === 'secrets' && attrs.name && attrs.namespace) {
    const bound = await objects.list(pods, { namespace: attrs.namespace, filter: (p) => (p as Pod).spec?.nodeName === node })
    attrs.referencedByNode = bound.items.some((p) => referencesSecret(p as Pod, attrs.name!))
  }
}

export function referencesSecret(pod: Pod, secret: string): boolean {
  const spec = pod.spec
  if (!spec) return false
  if (spec.volumes?.some((v) => v.secret?.secretName === secret)) return true
  return spec.containers.some((c) => c.env?.some((e) => e.valueFrom?.secretKeyRef?.name === secret))
}

