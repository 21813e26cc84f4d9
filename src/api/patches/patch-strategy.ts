// Where strategic merge patch merges lists instead of replacing them: the patchMergeKey and
// patchStrategy tags of the Kubernetes Go types, for the kinds Shoal serves. A list not named
// here is atomic (args, command, tolerations, taints, subsets...) and is replaced whole.
import { lookupTable } from '../json/index.ts'

export interface FieldStrategy {
  /** a list of objects merged element by element on this key */
  mergeKey?: string
  /** a list of scalars merged as a set (finalizers) */
  primitiveMerge?: boolean
  /** strategies of the fields below: of the object, or of each element of a list */
  fields?: Record<string, FieldStrategy>
}

const conditions: FieldStrategy = { mergeKey: 'type' }
const statusWithConditions: FieldStrategy = { fields: { conditions } }

const metadata: FieldStrategy = {
  fields: { ownerReferences: { mergeKey: 'uid' }, finalizers: { primitiveMerge: true } },
}

const container: FieldStrategy = {
  mergeKey: 'name',
  fields: {
    ports: { mergeKey: 'containerPort' },
    env: { mergeKey: 'name' },
    volumeMounts: { mergeKey: 'mountPath' },
    volumeDevices: { mergeKey: 'devicePath' },
  },
}

const podSpec: FieldStrategy = {
  fields: {
    containers: container,
    initContainers: container,
    ephemeralContainers: container,
    volumes: { mergeKey: 'name' },
    imagePullSecrets: { mergeKey: 'name' },
    hostAliases: { mergeKey: 'ip' },
  },
}

const template: FieldStrategy = { fields: { metadata, spec: podSpec } }

const podStatus: FieldStrategy = {
  fields: { conditions, podIPs: { mergeKey: 'ip' }, hostIPs: { mergeKey: 'ip' } },
}

const workload = (status: FieldStrategy): FieldStrategy => ({
  fields: { metadata, spec: { fields: { template } }, status },
})

const byKind = lookupTable<FieldStrategy>({
  Pod: { fields: { metadata, spec: podSpec, status: podStatus } },
  Deployment: workload(statusWithConditions),
  ReplicaSet: workload(statusWithConditions),
  DaemonSet: workload(statusWithConditions),
  Job: workload(statusWithConditions),
  CronJob: {
    fields: {
      metadata,
      spec: { fields: { jobTemplate: { fields: { metadata, spec: { fields: { template } } } } } },
    },
  },
  Service: {
    fields: {
      metadata,
      spec: { fields: { ports: { mergeKey: 'port' } } },
      status: statusWithConditions,
    },
  },
  Node: {
    fields: { metadata, status: { fields: { conditions, addresses: { mergeKey: 'type' } } } },
  },
  Namespace: { fields: { metadata, status: statusWithConditions } },
  HorizontalPodAutoscaler: { fields: { metadata, status: statusWithConditions } },
})

/** The strategy of a kind's top level; kinds without merged lists get only metadata's. */
export function patchStrategyFor(kind: string): FieldStrategy {
  return byKind[kind] ?? { fields: { metadata } }
}
