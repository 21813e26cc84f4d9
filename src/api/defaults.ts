// Defaults, as the Kubernetes API server fills them in before validation (SetDefaults_*).
// applyDefaults returns a new object; the input is not changed. The namespace of a namespaced
// object is the server's to fill in (it comes from the URL).
import type { KubeObject } from './meta.ts'
import type { Container, PodSpec, PodTemplateSpec, Probe, Volume } from './pod.ts'
import type { Secret } from './config.ts'
import type { Service } from './service.ts'
import type { DaemonSet, Deployment, Job } from './workloads.ts'
import type { HorizontalPodAutoscaler } from './autoscaling.ts'
import type { Namespace } from './node.ts'
import { clone } from './json-value.ts'
import { toBase64 } from './base64.ts'

type Defaulter = (obj: any) => void

const byKind: Record<string, Defaulter> = {
  Pod: (pod: { spec?: PodSpec }) => pod.spec && defaultPodSpec(pod.spec),
  Deployment: defaultDeployment,
  DaemonSet: defaultDaemonSet,
  Job: defaultJob,
  Service: defaultService,
  Secret: defaultSecret,
  Namespace: defaultNamespace,
  HorizontalPodAutoscaler: defaultAutoscaler,
}

/** A copy of the object with the defaults of its kind filled in. */
export function applyDefaults<T extends KubeObject>(obj: T): T {
  const out = clone(obj)
  if (out.kind) byKind[out.kind]?.(out)
  return out
}

function defaultPodSpec(spec: PodSpec): void {
  spec.restartPolicy ??= 'Always'
  spec.terminationGracePeriodSeconds ??= 30
  for (const c of spec.containers ?? []) defaultContainer(c)
  for (const v of spec.volumes ?? []) defaultVolume(v)
}

function defaultContainer(c: Container): void {
  c.imagePullPolicy ??= /:latest$/.test(c.image ?? '') || !/[:@]/.test(c.image ?? '') ? 'Always' : 'IfNotPresent'
  for (const p of c.ports ?? []) p.protocol ??= 'TCP'
  for (const e of c.env ?? []) if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ??= 'v1'
  if (c.resources?.limits) {
    const requests = (c.resources.requests ??= {})
    for (const [name, q] of Object.entries(c.resources.limits)) requests[name] ??= q
  }
  if (c.readinessProbe) defaultProbe(c.readinessProbe)
  if (c.livenessProbe) defaultProbe(c.livenessProbe)
}

function defaultProbe(p: Probe): void {
  p.timeoutSeconds ??= 1
  p.periodSeconds ??= 10
  p.successThreshold ??= 1
  p.failureThreshold ??= 3
  if (p.httpGet) {
    p.httpGet.path ??= '/'
    p.httpGet.scheme ??= 'HTTP'
  }
}

function defaultVolume(v: Volume): void {
  if (v.secret) v.secret.defaultMode ??= 0o644
  if (v.configMap) v.configMap.defaultMode ??= 0o644
  if (v.hostPath) v.hostPath.type ??= ''
}

function defaultTemplate(t: PodTemplateSpec | undefined): void {
  if (t?.spec) defaultPodSpec(t.spec)
}

function defaultDeployment(d: Deployment): void {
  if (!d.spec) return
  d.spec.replicas ??= 1
  const strategy = (d.spec.strategy ??= {})
  strategy.type ??= 'RollingUpdate'
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {})
    ru.maxUnavailable ??= '25%'
    ru.maxSurge ??= '25%'
  }
  d.spec.revisionHistoryLimit ??= 10
  d.spec.progressDeadlineSeconds ??= 600
  defaultTemplate(d.spec.template)
}

function defaultDaemonSet(ds: DaemonSet): void {
  if (!ds.spec) return
  const strategy = (ds.spec.updateStrategy ??= {})
  strategy.type ??= 'RollingUpdate'
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {})
    ru.maxUnavailable ??= 1
    ru.maxSurge ??= 0
  }
  ds.spec.revisionHistoryLimit ??= 10
  defaultTemplate(ds.spec.template)
}

function defaultJob(job: Job): void {
  if (!job.spec) return
  if (job.spec.completions === undefined && job.spec.parallelism === undefined) job.spec.completions = 1
  job.spec.parallelism ??= 1
  job.spec.backoffLimit ??= 6
  job.spec.suspend ??= false
  defaultTemplate(job.spec.template)
}

function defaultService(svc: Service): void {
  if (!svc.spec) return
  svc.spec.type ??= 'ClusterIP'
  svc.spec.sessionAffinity ??= 'None'
  for (const p of svc.spec.ports ?? []) {
    p.protocol ??= 'TCP'
    p.targetPort ??= p.port
  }
}

function defaultSecret(secret: Secret): void {
  secret.type ??= 'Opaque'
  if (!secret.stringData) return
  const data = (secret.data ??= {})
  for (const [k, v] of Object.entries(secret.stringData)) data[k] = toBase64(v)
  delete secret.stringData
}

function defaultNamespace(ns: Namespace): void {
  if (ns.metadata?.name) (ns.metadata.labels ??= {})['kubernetes.io/metadata.name'] = ns.metadata.name
  const status = (ns.status ??= {})
  status.phase ??= 'Active'
}

function defaultAutoscaler(hpa: HorizontalPodAutoscaler): void {
  if (!hpa.spec) return
  hpa.spec.minReplicas ??= 1
  if (!hpa.spec.metrics?.length)
    hpa.spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]
}
