// Field schemas of core/v1 PodSpec, Container and PodStatus: every field Kubernetes v1.32 has,
// so a manifest copied from the Kubernetes docs has no unknown field. Fields Shoal does not act
// on (securityContext, affinity, lifecycle, most volume types) are opaque objects here;
// validation says which of them are not supported.
import {
  bool,
  fields,
  int,
  int64,
  intOrStr,
  listOf,
  map,
  obj,
  qty,
  qtyMap,
  str,
  strs,
  time,
  type ObjectSchema,
} from './field-schema.ts'
import { conditions, objectMeta } from './schema-meta.ts'

const keyRef: ObjectSchema = { name: str, key: str, optional: bool }
const localRef: ObjectSchema = { name: str, optional: bool }

const envVar: ObjectSchema = {
  name: str,
  value: str,
  valueFrom: {
    fieldRef: { apiVersion: str, fieldPath: str },
    resourceFieldRef: { containerName: str, resource: str, divisor: qty },
    configMapKeyRef: keyRef,
    secretKeyRef: keyRef,
  },
}

const envFromSource: ObjectSchema = { prefix: str, configMapRef: localRef, secretRef: localRef }

const containerPort: ObjectSchema = {
  name: str,
  hostPort: int,
  containerPort: int,
  protocol: str,
  hostIP: str,
}

export const resourceRequirements: ObjectSchema = {
  limits: qtyMap,
  requests: qtyMap,
  claims: listOf({ name: str, request: str }),
}

const probe: ObjectSchema = {
  exec: { command: strs },
  httpGet: {
    path: str,
    port: intOrStr,
    host: str,
    scheme: str,
    httpHeaders: listOf({ name: str, value: str }),
  },
  tcpSocket: { port: intOrStr, host: str },
  grpc: { port: int, service: str },
  ...fields(
    int,
    'initialDelaySeconds',
    'timeoutSeconds',
    'periodSeconds',
    'successThreshold',
    'failureThreshold',
  ),
  terminationGracePeriodSeconds: int64,
}

const volumeMount: ObjectSchema = {
  ...fields(
    str,
    'name',
    'mountPath',
    'subPath',
    'mountPropagation',
    'subPathExpr',
    'recursiveReadOnly',
  ),
  readOnly: bool,
}

export const container: ObjectSchema = {
  ...fields(
    str,
    'name',
    'image',
    'workingDir',
    'restartPolicy',
    'terminationMessagePath',
    'terminationMessagePolicy',
    'imagePullPolicy',
  ),
  command: strs,
  args: strs,
  ports: listOf(containerPort),
  envFrom: listOf(envFromSource),
  env: listOf(envVar),
  resources: resourceRequirements,
  resizePolicy: listOf({ resourceName: str, restartPolicy: str }),
  volumeMounts: listOf(volumeMount),
  volumeDevices: listOf({ name: str, devicePath: str }),
  ...fields(probe, 'livenessProbe', 'readinessProbe', 'startupProbe'),
  lifecycle: obj,
  securityContext: obj,
  ...fields(bool, 'stdin', 'stdinOnce', 'tty'),
}

const keyToPath: ObjectSchema = { key: str, path: str, mode: int }

/** the volume types Shoal mounts are spelled out; the other Kubernetes ones are known but opaque */
const volume: ObjectSchema = {
  name: str,
  hostPath: { path: str, type: str },
  emptyDir: { medium: str, sizeLimit: qty },
  secret: { secretName: str, items: listOf(keyToPath), defaultMode: int, optional: bool },
  configMap: { name: str, items: listOf(keyToPath), defaultMode: int, optional: bool },
  ...fields(
    obj,
    'gcePersistentDisk',
    'awsElasticBlockStore',
    'gitRepo',
    'nfs',
    'iscsi',
    'glusterfs',
    'persistentVolumeClaim',
    'rbd',
    'flexVolume',
    'cinder',
    'cephfs',
    'flocker',
    'downwardAPI',
    'fc',
    'azureFile',
    'vsphereVolume',
    'quobyte',
    'azureDisk',
    'photonPersistentDisk',
    'projected',
    'portworxVolume',
    'scaleIO',
    'storageos',
    'csi',
    'ephemeral',
    'image',
  ),
}

const toleration: ObjectSchema = {
  ...fields(str, 'key', 'operator', 'value', 'effect'),
  tolerationSeconds: int64,
}

export const podSpec: ObjectSchema = {
  volumes: listOf(volume),
  initContainers: listOf(container),
  containers: listOf(container),
  ephemeralContainers: listOf(obj),
  ...fields(
    str,
    'restartPolicy',
    'dnsPolicy',
    'serviceAccountName',
    'serviceAccount',
    'nodeName',
    'hostname',
    'subdomain',
    'schedulerName',
    'priorityClassName',
    'runtimeClassName',
    'preemptionPolicy',
  ),
  ...fields(int64, 'terminationGracePeriodSeconds', 'activeDeadlineSeconds'),
  priority: int,
  nodeSelector: map,
  ...fields(
    bool,
    'automountServiceAccountToken',
    'hostNetwork',
    'hostPID',
    'hostIPC',
    'shareProcessNamespace',
    'enableServiceLinks',
    'setHostnameAsFQDN',
    'hostUsers',
  ),
  ...fields(obj, 'securityContext', 'affinity', 'dnsConfig'),
  imagePullSecrets: listOf({ name: str }),
  tolerations: listOf(toleration),
  hostAliases: listOf({ ip: str, hostnames: strs }),
  readinessGates: listOf({ conditionType: str }),
  overhead: qtyMap,
  topologySpreadConstraints: listOf(obj),
  os: { name: str },
  schedulingGates: listOf({ name: str }),
  resourceClaims: listOf(obj),
  resources: resourceRequirements,
}

export const podTemplateSpec: ObjectSchema = { metadata: objectMeta, spec: podSpec }

const containerState: ObjectSchema = {
  waiting: { reason: str, message: str },
  running: { startedAt: time },
  terminated: {
    exitCode: int,
    signal: int,
    reason: str,
    message: str,
    startedAt: time,
    finishedAt: time,
    containerID: str,
  },
}

const containerStatus: ObjectSchema = {
  ...fields(str, 'name', 'image', 'imageID', 'containerID', 'stopSignal'),
  state: containerState,
  lastState: containerState,
  ...fields(bool, 'ready', 'started'),
  restartCount: int,
  allocatedResources: qtyMap,
  resources: resourceRequirements,
  ...fields(obj, 'user'),
  ...fields(listOf(obj), 'volumeMounts', 'allocatedResourcesStatus'),
}

const hostIPs = listOf({ ip: str })

export const podStatus: ObjectSchema = {
  ...fields(
    str,
    'phase',
    'message',
    'reason',
    'nominatedNodeName',
    'hostIP',
    'podIP',
    'qosClass',
    'resize',
  ),
  observedGeneration: int64,
  conditions,
  hostIPs,
  podIPs: hostIPs,
  startTime: time,
  ...fields(
    listOf(containerStatus),
    'initContainerStatuses',
    'containerStatuses',
    'ephemeralContainerStatuses',
  ),
  resourceClaimStatuses: listOf(obj),
}
