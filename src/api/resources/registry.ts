// The resource registry: every kind Shoal serves, with the names, scope, short names,
// categories, verbs and subresources Kubernetes gives it (discovery is built from this).

export interface GroupVersionKind {
  group: string
  version: string
  kind: string
}

export interface SubresourceInfo {
  name: string
  /** the kind a request to the subresource returns */
  responseKind: GroupVersionKind
  verbs: string[]
}

export interface ResourceInfo extends GroupVersionKind {
  /** plural, lower case: "deployments" */
  resource: string
  singular: string
  listKind: string
  namespaced: boolean
  shortNames: string[]
  categories: string[]
  verbs: string[]
  subresources: SubresourceInfo[]
  /** the version objects are stored at: `version` itself, except for a version served besides it */
  storageVersion: string
}

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']
const statusVerbs = ['get', 'patch', 'update']

interface Entry {
  gv: string
  kind: string
  resource: string
  namespaced: boolean
  short?: string[]
  all?: boolean
  verbs?: string[]
  subs?: string[]
  /** versions served besides gv's, converted to and from it (served-versions.ts) */
  served?: string[]
}

const entries: Entry[] = [
  {
    gv: 'v1',
    kind: 'Namespace',
    resource: 'namespaces',
    namespaced: false,
    short: ['ns'],
    subs: ['status', 'finalize'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  },
  { gv: 'v1', kind: 'Node', resource: 'nodes', namespaced: false, short: ['no'], subs: ['status'] },
  {
    gv: 'v1',
    kind: 'Pod',
    resource: 'pods',
    namespaced: true,
    short: ['po'],
    all: true,
    subs: ['status', 'log', 'binding', 'eviction'],
  },
  {
    gv: 'v1',
    kind: 'Service',
    resource: 'services',
    namespaced: true,
    short: ['svc'],
    all: true,
    subs: ['status'],
  },
  { gv: 'v1', kind: 'Endpoints', resource: 'endpoints', namespaced: true, short: ['ep'] },
  { gv: 'v1', kind: 'Secret', resource: 'secrets', namespaced: true },
  { gv: 'v1', kind: 'ConfigMap', resource: 'configmaps', namespaced: true, short: ['cm'] },
  { gv: 'v1', kind: 'Event', resource: 'events', namespaced: true, short: ['ev'] },
  {
    gv: 'apps/v1',
    kind: 'Deployment',
    resource: 'deployments',
    namespaced: true,
    short: ['deploy'],
    all: true,
    subs: ['status', 'scale'],
  },
  {
    gv: 'apps/v1',
    kind: 'ReplicaSet',
    resource: 'replicasets',
    namespaced: true,
    short: ['rs'],
    all: true,
    subs: ['status', 'scale'],
  },
  {
    gv: 'apps/v1',
    kind: 'DaemonSet',
    resource: 'daemonsets',
    namespaced: true,
    short: ['ds'],
    all: true,
    subs: ['status'],
  },
  {
    gv: 'apps/v1',
    kind: 'ControllerRevision',
    resource: 'controllerrevisions',
    namespaced: true,
  },
  { gv: 'batch/v1', kind: 'Job', resource: 'jobs', namespaced: true, all: true, subs: ['status'] },
  {
    gv: 'batch/v1',
    kind: 'CronJob',
    resource: 'cronjobs',
    namespaced: true,
    short: ['cj'],
    all: true,
    subs: ['status'],
  },
  {
    gv: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    resource: 'horizontalpodautoscalers',
    namespaced: true,
    short: ['hpa'],
    all: true,
    subs: ['status'],
    served: ['v1'],
  },
  { gv: 'coordination.k8s.io/v1', kind: 'Lease', resource: 'leases', namespaced: true },
  {
    gv: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    resource: 'endpointslices',
    namespaced: true,
  },
  {
    gv: 'networking.k8s.io/v1',
    kind: 'Ingress',
    resource: 'ingresses',
    namespaced: true,
    short: ['ing'],
    subs: ['status'],
  },
]

function subresource(name: string, self: GroupVersionKind): SubresourceInfo {
  if (name === 'scale') {
    return {
      name,
      responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
      verbs: ['get', 'patch', 'update'],
    }
  }
  if (name === 'log') return { name, responseKind: self, verbs: ['get'] }
  if (name === 'finalize') return { name, responseKind: self, verbs: ['update'] }
  if (name === 'binding')
    return { name, responseKind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] }
  if (name === 'eviction')
    return {
      name,
      responseKind: { group: 'policy', version: 'v1', kind: 'Eviction' },
      verbs: ['create'],
    }
  return { name, responseKind: self, verbs: statusVerbs }
}

function toInfo(e: Entry, servedVersion?: string): ResourceInfo {
  const [group, storageVersion] = e.gv.includes('/') ? e.gv.split('/') : ['', e.gv]
  const gvk = { group, version: servedVersion ?? storageVersion, kind: e.kind }
  return {
    ...gvk,
    resource: e.resource,
    singular: e.kind.toLowerCase(),
    listKind: `${e.kind}List`,
    namespaced: e.namespaced,
    shortNames: e.short ?? [],
    categories: e.all ? ['all'] : [],
    verbs: e.verbs ?? allVerbs,
    subresources: (e.subs ?? []).map((s) => subresource(s, gvk)),
    storageVersion,
  }
}

/** each resource at its storage version: what every lookup but resourceFor answers */
const registry: readonly ResourceInfo[] = Object.freeze(entries.map((e) => toInfo(e)))
/** the versions served besides the storage version (autoscaling/v1 HorizontalPodAutoscaler) */
const alsoServed: readonly ResourceInfo[] = Object.freeze(
  entries.flatMap((e) => (e.served ?? []).map((v) => toInfo(e, v))),
)
const served: readonly ResourceInfo[] = Object.freeze([...registry, ...alsoServed])

/** Every resource, core group first, in a stable order, each once: at its storage version. */
export function allResources(): readonly ResourceInfo[] {
  return registry
}

/** Every resource at every version served (discovery): storage versions first, so they are preferred. */
export function servedResources(): readonly ResourceInfo[] {
  return served
}

/** the same resource at its storage version */
export function storageResource(info: ResourceInfo): ResourceInfo {
  if (info.version === info.storageVersion) return info
  return registry.find((r) => r.group === info.group && r.resource === info.resource)!
}

/** "v1" for the core group, "apps/v1" otherwise. */
export function apiVersionOf(info: { group: string; version: string }): string {
  return info.group ? `${info.group}/${info.version}` : info.version
}

/** Splits an apiVersion: "apps/v1" → { group: "apps", version: "v1" }, "v1" → { group: "", version: "v1" }. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/')
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) }
}

export function resourceByKind(kind: string, group?: string): ResourceInfo | undefined {
  return registry.find((r) => r.kind === kind && (group === undefined || r.group === group))
}

export function resourceByPlural(resource: string, group?: string): ResourceInfo | undefined {
  return registry.find((r) => r.resource === resource && (group === undefined || r.group === group))
}

export function resourceByShortName(shortName: string): ResourceInfo | undefined {
  return registry.find((r) => r.shortNames.includes(shortName))
}

/** The resource a URL names: /apis/<group>/<version>/.../<resource>, at any version served. */
export function resourceFor(gvr: {
  group: string
  version: string
  resource: string
}): ResourceInfo | undefined {
  return servedResources().find(
    (r) => r.group === gvr.group && r.version === gvr.version && r.resource === gvr.resource,
  )
}

/** The resource of an object, from its apiVersion and kind. */
export function resourceForObject(obj: {
  apiVersion?: string
  kind?: string
}): ResourceInfo | undefined {
  if (!obj.kind || !obj.apiVersion) return undefined
  const { group, version } = parseApiVersion(obj.apiVersion)
  return registry.find((r) => r.kind === obj.kind && r.group === group && r.version === version)
}

/**
 * What a user typed as a type on the command line, the way kubectl resolves it: plural,
 * singular, short name or kind, optionally qualified by group ("deployments.apps", "deploy").
 */
export function resolveResource(name: string): ResourceInfo | undefined {
  const dot = name.indexOf('.')
  const base = (dot < 0 ? name : name.slice(0, dot)).toLowerCase()
  const group = dot < 0 ? undefined : name.slice(dot + 1)
  return registry.find(
    (r) =>
      (group === undefined || r.group === group) &&
      (r.resource === base ||
        r.singular === base ||
        r.shortNames.includes(base) ||
        r.kind.toLowerCase() === base),
  )
}

/** Resources in a category, e.g. "all" for `kubectl get all`. */
export function resourcesInCategory(category: string): ResourceInfo[] {
  return registry.filter((r) => r.categories.includes(category))
}

/** The group/versions served, core ("v1") first, a group's storage version before its others: for /api and /apis discovery. */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>()
  for (const r of servedResources())
    seen.set(apiVersionOf(r), { group: r.group, version: r.version })
  return [...seen.values()]
}
