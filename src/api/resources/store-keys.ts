// Store key layout: /registry/<group or "core">/<resource>/<namespace>/<name>; cluster-scoped
// resources have no namespace segment. Prefixes end in "/" so "default" never matches "default2".

export interface KeyedResource {
  group: string
  resource: string
  namespaced: boolean
}

export interface StoreKeyParts {
  group: string
  resource: string
  namespace?: string
  name: string
}

function groupSegment(group: string): string {
  return group === '' ? 'core' : group
}

/** The key of one object. Namespaced resources need a namespace. */
export function storeKey(info: KeyedResource, where: { namespace?: string; name: string }): string {
  const base = `/registry/${groupSegment(info.group)}/${info.resource}/`
  if (!info.namespaced) return base + where.name
  if (!where.namespace)
    throw new TypeError(
      `api: ${info.resource} are namespaced, the key of "${where.name}" needs a namespace`,
    )
  return `${base}${where.namespace}/${where.name}`
}

/** The prefix for listing: one namespace, or every namespace (and cluster-scoped) when namespace is omitted. */
export function storePrefix(info: KeyedResource, namespace?: string): string {
  const base = `/registry/${groupSegment(info.group)}/${info.resource}/`
  return info.namespaced && namespace ? `${base}${namespace}/` : base
}

/** Reads a key back into its parts; undefined when it is not a registry key. */
export function parseStoreKey(key: string): StoreKeyParts | undefined {
  const parts = key.split('/')
  if (parts[0] !== '' || parts[1] !== 'registry') return undefined
  const group = parts[2] === 'core' ? '' : parts[2]
  if (parts.length === 5 && parts[4]) return { group, resource: parts[3], name: parts[4] }
  if (parts.length === 6 && parts[4] && parts[5])
    return { group, resource: parts[3], namespace: parts[4], name: parts[5] }
  return undefined
}
