// Defaults, as the Kubernetes API server fills them in before validation (SetDefaults_*).
// applyDefaults returns a new object; the input is not changed. The namespace of a namespaced
// object is the server's to fill in (it comes from the URL).
import type {
  Container,
  CronJob,
  DaemonSet,
  DaemonSetUpdateStrategy,
  Deployment,
  DeploymentStrategy,
  EndpointSlice,
  HorizontalPodAutoscaler,
  HPAScalingRules,
  Job,
  KubeObject,
  Namespace,
  PodSpec,
  PodTemplateSpec,
  Probe,
  ReplicaSet,
  ResourceList,
  RollingUpdateDeployment,
  Secret,
  Service,
  Volume,
} from '../types/index.ts'
import { lookupTable, clone, isObject } from '../json/index.ts'
import { toBase64 } from '../formats/index.ts'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untrusted bodies of any shape
type Defaulter = (obj: any) => void

/** A plain object that defaults can be written into (not null, an array or a scalar). */
function usable<T>(v: T | null | undefined): v is T {
  return isObject(v)
}

/** The object elements of a list; anything malformed is left for validation to report. */
function objects<T>(list: T[] | undefined): T[] {
  return Array.isArray(list) ? list.filter(isObject) : []
}

/** obj[key] as an object to fill in, created when absent; undefined when it holds something else. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- walks untrusted bodies
function child<T extends object>(obj: any, key: string): T | undefined {
  if (obj[key] === undefined || obj[key] === null) obj[key] = {}
  return isObject(obj[key]) ? (obj[key] as T) : undefined
}

const byKind = lookupTable<Defaulter>({
  Pod: (pod: { spec?: PodSpec }) => defaultPodSpec(pod.spec),
  Deployment: defaultDeployment,
  ReplicaSet: defaultReplicaSet,
  DaemonSet: defaultDaemonSet,
  Job: defaultJob,
  CronJob: defaultCronJob,
  Service: defaultService,
  EndpointSlice: defaultEndpointSlice,
  Secret: defaultSecret,
  Namespace: defaultNamespace,
  HorizontalPodAutoscaler: defaultAutoscaler,
})

/** A copy of the object with the defaults of its kind filled in. */
export function applyDefaults<T extends KubeObject>(obj: T): T {
  return fillDefaults(clone(obj))
}

/** Fills in the defaults of the object's kind in the object itself (one the caller owns: a decoded request body). */
export function fillDefaults<T extends KubeObject>(obj: T): T {
  if (usable(obj) && typeof obj.kind === 'string') byKind[obj.kind]?.(obj)
  return obj
}

function defaultPodSpec(spec: PodSpec | undefined): void {
  if (!usable(spec)) return
  spec.restartPolicy ??= 'Always'
  spec.terminationGracePeriodSeconds ??= 30
  for (const c of objects(spec.containers)) defaultContainer(c)
  for (const v of objects(spec.volumes)) defaultVolume(v)
}

function defaultContainer(c: Container): void {
  const image = typeof c.image === 'string' ? c.image : ''
  c.imagePullPolicy ??= /:latest$/.test(image) || !/[:@]/.test(image) ? 'Always' : 'IfNotPresent'
  for (const p of objects(c.ports)) p.protocol ??= 'TCP'
  for (const e of objects(c.env))
    if (usable(e.valueFrom?.fieldRef)) e.valueFrom.fieldRef.apiVersion ??= 'v1'
  if (usable(c.resources) && usable(c.resources.limits)) {
    const requests = child<ResourceList>(c.resources, 'requests')
    for (const [name, q] of Object.entries(c.resources.limits)) if (requests) requests[name] ??= q
  }
  if (usable(c.readinessProbe)) defaultProbe(c.readinessProbe)
  if (usable(c.livenessProbe)) defaultProbe(c.livenessProbe)
}

function defaultProbe(p: Probe): void {
  p.timeoutSeconds ??= 1
  p.periodSeconds ??= 10
  p.successThreshold ??= 1
  p.failureThreshold ??= 3
  if (usable(p.httpGet)) {
    p.httpGet.path ??= '/'
    p.httpGet.scheme ??= 'HTTP'
  }
}

function defaultVolume(v: Volume): void {
  if (usable(v.secret)) v.secret.defaultMode ??= 0o644
  if (usable(v.configMap)) v.configMap.defaultMode ??= 0o644
  if (usable(v.hostPath)) v.hostPath.type ??= ''
}

function defaultTemplate(t: PodTemplateSpec | undefined): void {
  if (usable(t)) defaultPodSpec(t.spec)
}

function defaultDeployment(d: Deployment): void {
  if (!usable(d.spec)) return
  d.spec.replicas ??= 1
  const strategy = child<DeploymentStrategy>(d.spec, 'strategy')
  if (strategy) strategy.type ??= 'RollingUpdate'
  const ru =
    strategy?.type === 'RollingUpdate'
      ? child<RollingUpdateDeployment>(strategy, 'rollingUpdate')
      : undefined
  if (ru) {
    ru.maxUnavailable ??= '25%'
    ru.maxSurge ??= '25%'
  }
  d.spec.revisionHistoryLimit ??= 10
  d.spec.progressDeadlineSeconds ??= 600
  defaultTemplate(d.spec.template)
}

function defaultReplicaSet(rs: ReplicaSet): void {
  if (!usable(rs.spec)) return
  rs.spec.replicas ??= 1
  defaultTemplate(rs.spec.template)
}

function defaultDaemonSet(ds: DaemonSet): void {
  if (!usable(ds.spec)) return
  const strategy = child<DaemonSetUpdateStrategy>(ds.spec, 'updateStrategy')
  if (strategy) strategy.type ??= 'RollingUpdate'
  const ru =
    strategy?.type === 'RollingUpdate'
      ? child<RollingUpdateDeployment>(strategy, 'rollingUpdate')
      : undefined
  if (ru) {
    ru.maxUnavailable ??= 1
    ru.maxSurge ??= 0
  }
  ds.spec.revisionHistoryLimit ??= 10
  defaultTemplate(ds.spec.template)
}

function defaultJob(job: Job): void {
  if (!usable(job.spec)) return
  if (job.spec.completions === undefined && job.spec.parallelism === undefined)
    job.spec.completions = 1
  job.spec.parallelism ??= 1
  job.spec.backoffLimit ??= 6
  job.spec.suspend ??= false
  job.spec.completionMode ??= 'NonIndexed'
  job.spec.podReplacementPolicy ??= job.spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed'
  defaultTemplate(job.spec.template)
}

function defaultCronJob(cj: CronJob): void {
  if (!usable(cj.spec)) return
  cj.spec.concurrencyPolicy ??= 'Allow'
  cj.spec.suspend ??= false
  cj.spec.successfulJobsHistoryLimit ??= 3
  cj.spec.failedJobsHistoryLimit ??= 1
  // as Kubernetes: the template's pod spec is defaulted, its Job spec is not (the Job will be)
  if (usable(cj.spec.jobTemplate) && usable(cj.spec.jobTemplate.spec))
    defaultTemplate(cj.spec.jobTemplate.spec.template)
}

function defaultService(svc: Service): void {
  if (!usable(svc.spec)) return
  svc.spec.type ??= 'ClusterIP'
  svc.spec.sessionAffinity ??= 'None'
  for (const p of objects(svc.spec.ports)) {
    p.protocol ??= 'TCP'
    p.targetPort ??= p.port
  }
}

/** SetDefaults_EndpointPort (name "", protocol TCP); deprecatedTopology is not writable in v1 */
function defaultEndpointSlice(slice: EndpointSlice): void {
  for (const p of objects(slice.ports)) {
    p.name ??= ''
    p.protocol ??= 'TCP'
  }
  for (const e of objects(slice.endpoints)) delete e.deprecatedTopology
}

function defaultSecret(secret: Secret): void {
  secret.type ??= 'Opaque'
  if (!usable(secret.stringData)) return
  const data = child<Record<string, string>>(secret, 'data')
  if (!data) return
  for (const [k, v] of Object.entries(secret.stringData))
    if (typeof v === 'string') data[k] = toBase64(v)
  delete secret.stringData
}

function defaultNamespace(ns: Namespace): void {
  const labels =
    usable(ns.metadata) && typeof ns.metadata.name === 'string'
      ? child<Record<string, string>>(ns.metadata, 'labels')
      : undefined
  if (labels) labels['kubernetes.io/metadata.name'] = ns.metadata.name as string
  const status = child<NonNullable<Namespace['status']>>(ns, 'status')
  if (status) status.phase ??= 'Active'
}

function defaultAutoscaler(hpa: HorizontalPodAutoscaler): void {
  if (!usable(hpa.spec)) return
  hpa.spec.minReplicas ??= 1
  if (
    hpa.spec.metrics === undefined ||
    hpa.spec.metrics === null ||
    (Array.isArray(hpa.spec.metrics) && !hpa.spec.metrics.length)
  )
    hpa.spec.metrics = [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
      },
    ]
  if (usable(hpa.spec.behavior)) {
    const b = hpa.spec.behavior
    b.scaleUp = scalingRules(b.scaleUp, {
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
    })
    // scale down's window stays unset: the controller's own (300 s) applies, as Kubernetes'
    b.scaleDown = scalingRules(b.scaleDown, {
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
    })
  }
}

/** a behavior's rules with each unset field from Kubernetes' defaults (GenerateHPAScale…Rules) */
function scalingRules(
  rules: HPAScalingRules | undefined,
  defaults: HPAScalingRules,
): HPAScalingRules | undefined {
  if (rules !== undefined && rules !== null && !usable(rules)) return rules // for validation
  const r: HPAScalingRules = { ...rules }
  const window = r.stabilizationWindowSeconds ?? defaults.stabilizationWindowSeconds
  if (window !== undefined) r.stabilizationWindowSeconds = window
  r.selectPolicy ??= defaults.selectPolicy
  if (!Array.isArray(r.policies) || !r.policies.length) r.policies = clone(defaults.policies)
  return r
}
