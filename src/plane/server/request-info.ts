// Parses a request path into what it addresses, the way kube-apiserver's RequestInfoFactory
// does: /api/v1/namespaces/default/pods/web/status → group "", version v1, namespace default,
// resource pods, name web, subresource status. The verb comes from the method and ?watch.
import { ShoalError } from '../../core/index.ts'

export type Verb =
  'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection'

export interface RequestInfo {
  group: string
  version: string
  namespace?: string
  resource: string
  name?: string
  subresource?: string
  verb: Verb
}

/** POST to a named object's subresource (pods/NAME/binding) creates it, as in Kubernetes */
function verbFor(
  method: string,
  path: { named: boolean; sub: boolean },
  watch: boolean,
): Verb | undefined {
  const named = path.named
  switch (method) {
    case 'GET':
    case 'HEAD':
      return named ? 'get' : watch ? 'watch' : 'list'
    case 'POST':
      return !named || path.sub ? 'create' : undefined
    case 'PUT':
      return named ? 'update' : undefined
    case 'PATCH':
      return named ? 'patch' : undefined
    case 'DELETE':
      return named ? 'delete' : 'deletecollection'
  }
  return undefined
}

/** a path segment with %-escapes decoded (most have none: no decodeURIComponent call) */
function unescapePart(p: string): string {
  if (!p.includes('%')) return p
  try {
    return decodeURIComponent(p)
  } catch {
    throw new ShoalError(
      'BadRequest',
      `the request path has a malformed %-escape in "${p}" (a % must be followed by two hex digits of UTF-8)`,
    )
  }
}

/** undefined when the path is not a resource path (discovery, unknown shapes) */
export function parseRequestInfo(
  method: string,
  path: string,
  watchParam?: string,
): RequestInfo | undefined {
  const parts = path.split('/').filter(Boolean).map(unescapePart)
  let group: string
  let version: string
  let rest: string[]
  if (parts[0] === 'api' && parts.length >= 3)
    [group, version, rest] = ['', parts[1], parts.slice(2)]
  else if (parts[0] === 'apis' && parts.length >= 4)
    [group, version, rest] = [parts[1], parts[2], parts.slice(3)]
  else return undefined
  let namespace: string | undefined
  // /namespaces/<ns>/<resource>... but /namespaces/<ns> and /namespaces/<ns>/status|finalize are the namespace itself
  if (
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    rest[2] !== 'status' &&
    rest[2] !== 'finalize'
  ) {
    namespace = rest[1]
    rest = rest.slice(2)
  }
  const [resource, name, subresource, extra] = rest
  if (!resource || extra !== undefined) return undefined
  const watch = watchParam === 'true' || watchParam === '1'
  const verb = verbFor(method, { named: name !== undefined, sub: subresource !== undefined }, watch)
  if (!verb) return undefined
  return { group, version, namespace, resource, name, subresource, verb }
}
