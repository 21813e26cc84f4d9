// Resource type names as kubectl takes them (pods, pod, po, deploy, deployments.apps, Pod) → the
// registry entry of src/api, and the URL of a collection, an object or a subresource.
import {
  resolveResource,
  resourceForObject,
  resourcesInCategory,
  type ResourceInfo,
} from '../api/index.ts'
import { usageError } from './errors.ts'

export type { ResourceInfo }

export function resourceType(name: string): ResourceInfo {
  const info = resolveResource(name)
  if (!info) throw usageError(`the server doesn't have a resource type "${name}"`)
  return info
}

export function objectResource(obj: { apiVersion?: string; kind?: string }): ResourceInfo {
  const info = resourceForObject(obj)
  if (!info)
    throw usageError(
      `resource mapping not found for kind "${obj.kind}" in version "${obj.apiVersion}": is the kind and apiVersion right?`,
    )
  return info
}

/** the URL path: namespace undefined (or cluster-scoped) → across namespaces */
export function resourcePath(
  info: ResourceInfo,
  o: { namespace?: string; name?: string; sub?: string } = {},
): string {
  const base = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`
  const ns = info.namespaced && o.namespace ? `/namespaces/${encodeURIComponent(o.namespace)}` : ''
  const name = o.name ? `/${encodeURIComponent(o.name)}` : ''
  return `${base}${ns}/${info.resource}${name}${o.name && o.sub ? `/${o.sub}` : ''}`
}

/** "pods" or "deployments.apps": how kubectl names a resource in messages */
export function qualified(info: ResourceInfo): string {
  return info.group ? `${info.resource}.${info.group}` : info.resource
}

/** "pod/web" or "deployment.apps/web": -o name, and the subject of "created" lines */
export function objectName(info: ResourceInfo, name: string): string {
  const kind = info.kind.toLowerCase()
  return `${info.group ? `${kind}.${info.group}` : kind}/${name}`
}

/**
 * The objects a verb's arguments name: `TYPE NAME...`, `TYPE/NAME...`, or `TYPE` alone
 * (names empty: the whole collection).
 */
export function parseTargets(args: string[]): { info: ResourceInfo; names: string[] }[] {
  if (!args.length) throw usageError('you must specify the type of resource to get')
  if (args[0].includes('/')) {
    return args.map((a) => {
      const [type, name] = a.split('/', 2)
      if (!name)
        throw usageError(`arguments in resource/name form must have a single resource and name`)
      return { info: resourceType(type), names: [name] }
    })
  }
  const names = args.slice(1)
  if (names.some((n) => n.includes('/')))
    throw usageError(
      'there is no need to specify a resource type as a separate argument when passing arguments in resource/name form',
    )
  return args[0]
    .split(',')
    .filter(Boolean)
    .flatMap((t) =>
      t === 'all'
        ? resourcesInCategory('all').map((info) => ({ info, names }))
        : [{ info: resourceType(t), names }],
    )
}
