// What kubectl reads before anything else: /version, aggregated discovery on /api and /apis
// (with its exact content type, short names and categories), the legacy per-group-version
// resource lists, and the minimal OpenAPI v3 documents that `kubectl apply` and `create`
// need for their default validation (research/kubectl.md §2–3). Every version served is
// listed, a group's storage version first: the one aggregated discovery marks preferred.
// Discovery also lists the self-reviews (create only, not stored; OpenAPI leaves them out) and
// metrics.k8s.io (get and list, not stored: metrics-api.ts).
import {
  apiVersionOf,
  groupVersions,
  kindOpenApiSchema,
  servedResources,
  sharedOpenApiSchemas,
  type ResourceInfo,
} from '../../api/index.ts'
import { metricsResources } from './metrics-api.ts'
import { reviewResources } from './review-kinds.ts'

export const AGGREGATED_CT = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'

export function versionInfo(shoalVersion: string) {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.0',
    gitCommit: `shoal-${shoalVersion}`,
    gitTreeState: 'clean',
    buildDate: '2026-11-29T00:00:00Z',
    goVersion: 'node' + process.versions.node,
    compiler: 'shoal',
    platform: `${process.platform}/${process.arch}`,
  }
}

function discoveryResource(r: ResourceInfo) {
  return {
    resource: r.resource,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
    ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
    ...(r.categories.length ? { categories: r.categories } : {}),
    subresources: r.subresources.map((s) => ({
      subresource: s.name,
      responseKind: s.responseKind,
      verbs: s.verbs,
    })),
  }
}

/** every resource discovery lists: the stored ones, then the reviews and the usage metrics */
const listed: readonly ResourceInfo[] = [
  ...servedResources(),
  ...reviewResources(),
  ...metricsResources(),
]

/** the group/versions discovery lists, in the order of `listed` */
const listedGVs: readonly { group: string; version: string }[] = (() => {
  const seen = new Map<string, { group: string; version: string }>()
  for (const r of listed)
    if (!seen.has(apiVersionOf(r)))
      seen.set(apiVersionOf(r), { group: r.group, version: r.version })
  return [...seen.values()]
})()
const listedGroupVersions = () => listedGVs

/**
 * Every document here depends only on the resources compiled in, so each is built once, on its
 * first request (kubectl asks for discovery and OpenAPI on every command); callers only read it.
 */
function memo<A extends (string | boolean)[], R>(build: (...a: A) => R): (...a: A) => R {
  const built = new Map<string, R>()
  return (...a) => {
    const key = a.join('/')
    const known = built.get(key)
    if (known !== undefined) return known
    const doc = build(...a)
    if (doc !== undefined) built.set(key, doc) // unknown group/versions (any path) are not kept
    return doc
  }
}

function groupItem(group: string) {
  const versions = listedGroupVersions().filter((gv) => gv.group === group)
  return {
    metadata: group ? { name: group } : {},
    versions: versions.map((gv) => ({
      version: gv.version,
      resources: listed
        .filter((r) => r.group === group && r.version === gv.version)
        .map(discoveryResource),
      freshness: 'Current',
    })),
  }
}

/** aggregated discovery: core for /api, every named group for /apis */
export const aggregatedDiscovery = memo((core: boolean) => {
  const groups = [...new Set(listedGroupVersions().map((gv) => gv.group))].filter(
    (g) => (g === '') === core,
  )
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map(groupItem),
  }
})

export function legacyApiVersions() {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '' }],
  }
}

export const legacyGroupList = memo(() => {
  const groups = [...new Set(listedGroupVersions().map((gv) => gv.group))].filter(Boolean)
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups.map((name) => {
      const versions = listedGroupVersions()
        .filter((gv) => gv.group === name)
        .map((gv) => ({ groupVersion: `${name}/${gv.version}`, version: gv.version }))
      return { name, versions, preferredVersion: versions[0] }
    }),
  }
})

export const resourceList = memo((group: string, version: string) => {
  const rs = listed.filter((r) => r.group === group && r.version === version)
  if (!rs.length) return undefined
  const entries = rs.flatMap((r) => [
    {
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      shortNames: r.shortNames,
      categories: r.categories,
    },
    ...r.subresources.map((s) => ({
      name: `${r.resource}/${s.name}`,
      singularName: '',
      namespaced: r.namespaced,
      // as kube-apiserver: a subresource of another group says which (pods/eviction: policy/v1,
      // what kubectl drain looks for before it evicts)
      ...(s.responseKind.group !== r.group
        ? { group: s.responseKind.group, version: s.responseKind.version }
        : {}),
      kind: s.responseKind.kind,
      verbs: s.verbs,
    })),
  ])
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: entries,
  }
})

const gvPath = (group: string, version: string) =>
  group ? `apis/${group}/${version}` : `api/${version}`

export const openApiIndex = memo(() => {
  const paths: Record<string, { serverRelativeURL: string }> = {}
  for (const gv of groupVersions()) {
    const p = gvPath(gv.group, gv.version)
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}` }
  }
  return { paths }
})

/** the API group's name in Kubernetes' OpenAPI schema names: "" → core, "autoscaling" → autoscaling */
const openApiName = (r: ResourceInfo) =>
  `io.k8s.api.${r.group ? r.group.split('.')[0] : 'core'}.${r.version}.${r.kind}`

/**
 * One PATCH path per kind with its group-version-kind (enough for kubectl's validation, which
 * then leaves it to fieldValidation on the server), and each kind's field schema for `kubectl
 * explain`. The PATCH paths declare no request body on purpose: kubectl then computes
 * client-side apply patches from its built-in types, which know the merge keys.
 */
export const openApiDocument = memo((group: string, version: string) => {
  const rs = servedResources().filter((r) => r.group === group && r.version === version)
  if (!rs.length) return undefined
  const paths: Record<string, unknown> = {}
  const schemas: Record<string, unknown> = { ...sharedOpenApiSchemas }
  for (const r of rs) {
    const schema = kindOpenApiSchema(r)
    if (schema) schemas[openApiName(r)] = schema
    const base = `/${gvPath(group, version)}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}/{name}`
    const gvk = { group: r.group, version: r.version, kind: r.kind }
    const params = [
      { name: 'fieldValidation', in: 'query', schema: { type: 'string' } },
      { name: 'fieldManager', in: 'query', schema: { type: 'string' } },
    ]
    paths[base] = {
      get: { 'x-kubernetes-group-version-kind': gvk, 'x-kubernetes-action': 'get' },
      put: {
        'x-kubernetes-group-version-kind': gvk,
        'x-kubernetes-action': 'put',
        parameters: params,
      },
      patch: {
        'x-kubernetes-group-version-kind': gvk,
        'x-kubernetes-action': 'patch',
        parameters: params,
      },
    }
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Shoal', version: apiVersionOf(rs[0]) },
    paths,
    components: { schemas },
  }
})
