// core/v1 Pod. A container's image names a WebAssembly component: "sha256:<hex>",
// "name:tag" or "oci://host/repo:tag".
import type { Condition, IntOrString, KubeObject, LabelSelector, ResourceList } from './meta.ts'
import type { ObjectReference } from './service.ts'

export interface KeyRef {
  name: string
  key: string
  optional?: boolean
}

export interface EnvVarSource {
  secretKeyRef?: KeyRef
  configMapKeyRef?: KeyRef
  fieldRef?: { fieldPath: string; apiVersion?: string }
}

export interface EnvVar {
  name: string
  value?: string
  valueFrom?: EnvVarSource
}

/** every key of a Secret or ConfigMap as an env var (prefixed); env entries override them */
export interface EnvFromSource {
  prefix?: string
  secretRef?: { name: string; optional?: boolean }
  configMapRef?: { name: string; optional?: boolean }
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP'

export interface ContainerPort {
  name?: string
  containerPort: number
  protocol?: Protocol
  hostPort?: number
}

export interface ResourceRequirements {
  limits?: ResourceList
  requests?: ResourceList
}

export interface Probe {
  httpGet?: { path?: string; port: IntOrString; host?: string; scheme?: 'HTTP' | 'HTTPS' }
  /** Present only so validation can name it: exec probes are not supported. */
  exec?: { command?: string[] }
  tcpSocket?: { port: IntOrString }
  initialDelaySeconds?: number
  timeoutSeconds?: number
  periodSeconds?: number
  successThreshold?: number
  failureThreshold?: number
}

export interface VolumeMount {
  name: string
  mountPath: string
  readOnly?: boolean
  subPath?: string
}

export interface Container {
  name: string
  image: string
  command?: string[]
  args?: string[]
  env?: EnvVar[]
  envFrom?: EnvFromSource[]
  ports?: ContainerPort[]
  resources?: ResourceRequirements
  readinessProbe?: Probe
  livenessProbe?: Probe
  volumeMounts?: VolumeMount[]
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never'
}

export interface KeyToPath {
  key: string
  path: string
  mode?: number
}

export interface Volume {
  name: string
  hostPath?: { path: string; type?: string }
  emptyDir?: { medium?: string; sizeLimit?: string }
  secret?: { secretName: string; items?: KeyToPath[]; defaultMode?: number; optional?: boolean }
  configMap?: { name: string; items?: KeyToPath[]; defaultMode?: number; optional?: boolean }
  /** secrets and configmaps in one directory (downwardAPI and token sources are not supported) */
  projected?: { sources: ProjectedSource[]; defaultMode?: number }
}

export interface ProjectedSource {
  secret?: { name: string; items?: KeyToPath[]; optional?: boolean }
  configMap?: { name: string; items?: KeyToPath[]; optional?: boolean }
}

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute'

export interface Toleration {
  key?: string
  operator?: 'Exists' | 'Equal'
  value?: string
  effect?: TaintEffect | ''
  tolerationSeconds?: number
}

export type NodeSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt'

export interface NodeSelectorRequirement {
  key: string
  operator: NodeSelectorOperator
  values?: string[]
}

/** the requirements of one term all hold (AND); terms are ORed */
export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[]
  matchFields?: NodeSelectorRequirement[]
}

export interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] }
  preferredDuringSchedulingIgnoredDuringExecution?: {
    weight: number
    preference: NodeSelectorTerm
  }[]
}

/** only node affinity is read (pod affinity is accepted and not acted on) */
export interface Affinity {
  nodeAffinity?: NodeAffinity
}

export interface TopologySpreadConstraint {
  maxSkew: number
  topologyKey: string
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway'
  labelSelector?: LabelSelector
}

/** v1 Binding: the pods/binding subresource's body (the scheduler's write) */
export interface Binding extends KubeObject {
  target: ObjectReference
}

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never'

export interface PodSpec {
  containers: Container[]
  volumes?: Volume[]
  restartPolicy?: RestartPolicy
  nodeName?: string
  nodeSelector?: Record<string, string>
  /** with subdomain naming a Service: the pod's name in its EndpointSlices */
  hostname?: string
  subdomain?: string
  tolerations?: Toleration[]
  /** the scheduler that places the pod: empty or "default-scheduler" for Shoal's */
  schedulerName?: string
  affinity?: Affinity
  topologySpreadConstraints?: TopologySpreadConstraint[]
  activeDeadlineSeconds?: number
  terminationGracePeriodSeconds?: number
}

export interface ContainerState {
  waiting?: { reason?: string; message?: string }
  running?: { startedAt?: string }
  terminated?: {
    reason?: string
    exitCode: number
    message?: string
    signal?: number
    startedAt?: string
    finishedAt?: string
  }
}

export interface ContainerStatus {
  name: string
  containerID?: string
  image?: string
  imageID?: string
  state?: ContainerState
  lastState?: ContainerState
  ready: boolean
  started?: boolean
  restartCount: number
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown'

export type PodQOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort'

export interface PodStatus {
  phase?: PodPhase
  conditions?: Condition[]
  message?: string
  reason?: string
  nominatedNodeName?: string
  podIP?: string
  podIPs?: { ip: string }[]
  hostIP?: string
  hostIPs?: { ip: string }[]
  qosClass?: PodQOSClass
  startTime?: string
  containerStatuses?: ContainerStatus[]
}

export interface Pod extends KubeObject {
  spec: PodSpec
  status?: PodStatus
}

export interface PodTemplateSpec {
  metadata?: KubeObject['metadata']
  spec: PodSpec
}
