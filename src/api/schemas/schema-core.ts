// Field schemas of the core/v1 kinds: Namespace, Node, Pod, Service, Endpoints, Secret,
// ConfigMap and Event; and coordination.k8s.io/v1 Lease.
import {
  bool,
  fields,
  int,
  intOrStr,
  listOf,
  map,
  obj,
  qtyMap,
  str,
  strs,
  time,
  type ObjectSchema,
} from './field-schema.ts'
import { conditions, kindSchema, objectReference } from './schema-meta.ts'
import { podSpec, podStatus } from './schema-pod.ts'

export const namespace = kindSchema({
  spec: { finalizers: strs },
  status: { phase: str, conditions },
})

const nodeInfo: ObjectSchema = {
  ...fields(
    str,
    'machineID',
    'systemUUID',
    'bootID',
    'kernelVersion',
    'osImage',
    'containerRuntimeVersion',
    'kubeletVersion',
    'kubeProxyVersion',
    'operatingSystem',
    'architecture',
  ),
  swap: obj,
}

export const node = kindSchema({
  spec: {
    ...fields(str, 'podCIDR', 'providerID', 'externalID'),
    podCIDRs: strs,
    unschedulable: bool,
    taints: listOf({ ...fields(str, 'key', 'value', 'effect'), timeAdded: time }),
    configSource: obj,
  },
  status: {
    capacity: qtyMap,
    allocatable: qtyMap,
    phase: str,
    conditions,
    addresses: listOf({ type: str, address: str }),
    nodeInfo,
    volumesInUse: strs,
    ...fields(obj, 'daemonEndpoints', 'config', 'features'),
    ...fields(listOf(obj), 'images', 'volumesAttached', 'runtimeHandlers'),
  },
})

export const pod = kindSchema({ spec: podSpec, status: podStatus })

const servicePort: ObjectSchema = {
  ...fields(str, 'name', 'protocol', 'appProtocol'),
  port: int,
  targetPort: intOrStr,
  nodePort: int,
}

export const service = kindSchema({
  spec: {
    ports: listOf(servicePort),
    selector: map,
    ...fields(
      str,
      'clusterIP',
      'type',
      'sessionAffinity',
      'loadBalancerIP',
      'externalName',
      'externalTrafficPolicy',
      'ipFamilyPolicy',
      'loadBalancerClass',
      'internalTrafficPolicy',
      'trafficDistribution',
    ),
    ...fields(strs, 'clusterIPs', 'externalIPs', 'loadBalancerSourceRanges', 'ipFamilies'),
    healthCheckNodePort: int,
    ...fields(bool, 'publishNotReadyAddresses', 'allocateLoadBalancerNodePorts'),
    sessionAffinityConfig: obj,
  },
  status: { loadBalancer: obj, conditions },
})

const endpointAddress: ObjectSchema = {
  ...fields(str, 'ip', 'hostname', 'nodeName'),
  targetRef: objectReference,
}

export const endpoints = kindSchema({
  subsets: listOf({
    addresses: listOf(endpointAddress),
    notReadyAddresses: listOf(endpointAddress),
    ports: listOf({ ...fields(str, 'name', 'protocol', 'appProtocol'), port: int }),
  }),
})

export const secret = kindSchema({ data: map, stringData: map, type: str, immutable: bool })

export const configMap = kindSchema({ data: map, binaryData: map, immutable: bool })

export const event = kindSchema({
  involvedObject: objectReference,
  related: objectReference,
  ...fields(str, 'reason', 'message', 'type', 'action', 'reportingComponent', 'reportingInstance'),
  source: { component: str, host: str },
  ...fields(time, 'firstTimestamp', 'lastTimestamp', 'eventTime'),
  count: int,
  series: { count: int, lastObservedTime: time },
})

export const lease = kindSchema({
  spec: {
    ...fields(str, 'holderIdentity', 'strategy', 'preferredHolder'),
    ...fields(int, 'leaseDurationSeconds', 'leaseTransitions'),
    ...fields(time, 'acquireTime', 'renewTime'),
  },
})
