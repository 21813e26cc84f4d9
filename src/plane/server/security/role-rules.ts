// What each role may do, listed as Kubernetes PolicyRules for SelfSubjectRulesReview (`kubectl
// auth can-i --list`). A description of authorizer.ts built from its own constants; a test checks
// every rule listed against authorize(). Like the Node authorizer in Kubernetes, a node's rules
// that depend on what is bound to it (its pods, the secrets they use) are not listed: the answer
// is then marked incomplete.
import {
  JOIN_PATH,
  NODE_CERTIFICATE_PATH,
  NODE_LEASE_NAMESPACE,
  NODE_LEASE_VERBS,
  NODE_READABLE,
  NODE_READABLE_GROUPS,
  NON_RESOURCE_READ,
  READ_VERBS,
  SELF_REVIEWS,
} from './authorizer.ts'
import type { User } from './tokens.ts'

export interface ResourceRule {
  verbs: string[]
  apiGroups: string[]
  resources: string[]
  resourceNames?: string[]
}

export interface NonResourceRule {
  verbs: string[]
  nonResourceURLs: string[]
}

export interface RoleRules {
  resourceRules: ResourceRule[]
  nonResourceRules: NonResourceRule[]
  incomplete: boolean
  evaluationError?: string
}

/** the resources a server serves, for the roles whose rules name them one by one */
export interface ServedResource {
  group: string
  resource: string
  subresources: { name: string }[]
}

const selfReviews = (): ResourceRule[] =>
  Object.entries(SELF_REVIEWS).map(([group, resources]) => ({
    verbs: ['create'],
    apiGroups: [group],
    resources: [...resources!],
  }))

const nonResourceRead = (): NonResourceRule[] => [
  { verbs: [...NON_RESOURCE_READ], nonResourceURLs: ['*'] },
]

/** `namespace`: the review's; a node's Lease rule is listed for kube-node-lease only */
export function rulesFor(
  user: User,
  served: readonly ServedResource[],
  o: { namespace?: string } = {},
): RoleRules {
  switch (user.role) {
    case 'admin':
      return {
        resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
        nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
        incomplete: false,
      }
    case 'viewer':
      return {
        resourceRules: [...viewerRules(served), ...selfReviews()],
        nonResourceRules: nonResourceRead(),
        incomplete: false,
      }
    case 'node':
      return nodeRules(user.node, o.namespace)
    case 'join':
      return {
        resourceRules: [],
        nonResourceRules: [{ verbs: ['post'], nonResourceURLs: [JOIN_PATH] }],
        incomplete: false,
      }
  }
  return {
    resourceRules: [],
    nonResourceRules: [],
    incomplete: true,
    evaluationError: `unknown role "${String(user.role)}"`,
  }
}

/** reads of every resource and subresource served, but core secrets: one rule per group */
function viewerRules(served: readonly ServedResource[]): ResourceRule[] {
  const byGroup = new Map<string, Set<string>>()
  for (const r of served) {
    if (r.group === '' && r.resource === 'secrets') continue
    const names = byGroup.get(r.group) ?? new Set<string>()
    names.add(r.resource)
    for (const s of r.subresources) names.add(`${r.resource}/${s.name}`)
    byGroup.set(r.group, names)
  }
  return [...byGroup].map(([group, names]) => ({
    verbs: [...READ_VERBS],
    apiGroups: [group],
    resources: [...names],
  }))
}

function nodeRules(node: string | undefined, namespace: string | undefined): RoleRules {
  const nonResourceRules = nonResourceRead()
  if (!node)
    return {
      resourceRules: selfReviews(),
      nonResourceRules,
      incomplete: true,
      evaluationError: 'node user without a node name',
    }
  const resourceRules: ResourceRule[] = [
    { verbs: ['create'], apiGroups: ['', 'events.k8s.io'], resources: ['events'] },
    { verbs: [...READ_VERBS], apiGroups: [''], resources: [...NODE_READABLE] },
    ...Object.entries(NODE_READABLE_GROUPS).map(([group, resources]) => ({
      verbs: [...READ_VERBS],
      apiGroups: [group],
      resources: [...(resources ?? [])],
    })),
    {
      verbs: ['create', 'get', 'update', 'patch'],
      apiGroups: [''],
      resources: ['nodes'],
      resourceNames: [node],
    },
    {
      verbs: ['get', 'update', 'patch'],
      apiGroups: [''],
      resources: ['nodes/status'],
      resourceNames: [node],
    },
    ...(namespace === NODE_LEASE_NAMESPACE
      ? [
          {
            verbs: [...NODE_LEASE_VERBS],
            apiGroups: ['coordination.k8s.io'],
            resources: ['leases'],
            resourceNames: [node],
          },
        ]
      : []),
    ...selfReviews(),
  ]
  nonResourceRules.push({ verbs: ['post'], nonResourceURLs: [NODE_CERTIFICATE_PATH] })
  const evaluationError = `node authorizer: the rules that follow from what is bound to node '${node}' (its pods, their status, the secrets they reference) are not listed`
  return { resourceRules, nonResourceRules, incomplete: true, evaluationError }
}
