// What Kubernetes' DaemonSet controller decides per node, as pure functions (daemon_controller.go,
// daemon/util): whether a node should run the daemon pod (its nodeName, nodeSelector and required
// node affinity, and its taints against the pod's tolerations with the daemon defaults added —
// an untolerated NoSchedule keeps new pods off, an untolerated NoExecute sends running ones away;
// cordoned nodes still run daemon pods, which tolerate node.kubernetes.io/unschedulable), the
// pod made for a node (controller-revision-hash and pod-template-generation labels, the default
// daemon tolerations, required node affinity matchFields metadata.name In [node] so the
// scheduler binds it there), the node a pod is meant for, and maxSurge / maxUnavailable.
import {
  fitsNodeAffinity,
  untoleratedTaint,
  type DaemonSet,
  type Node,
  type Pod,
  type PodSpec,
  type PodTemplateSpec,
  type Toleration,
} from '../../api/index.ts'
import { scaled } from './deployment-rules.ts'

export const REVISION_HASH = 'controller-revision-hash'
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation'
export const TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation'

/** the tolerations every daemon pod gets (AddOrUpdateDaemonPodTolerations), none with a time */
export const DAEMON_TOLERATIONS: readonly Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
]
const NETWORK_UNAVAILABLE: Toleration = {
  key: 'node.kubernetes.io/network-unavailable',
  operator: 'Exists',
  effect: 'NoSchedule',
}

const sameToleration = (a: Toleration, b: Toleration) =>
  a.key === b.key && a.operator === b.operator && a.value === b.value && a.effect === b.effect

/** the spec's tolerations with the daemon defaults added where missing (AddOrUpdateTolerationInPodSpec) */
export function withDaemonTolerations(spec: PodSpec): Toleration[] {
  const out = [...(spec.tolerations ?? [])]
  const hostNetwork = (spec as { hostNetwork?: boolean }).hostNetwork
  const wanted = hostNetwork ? [...DAEMON_TOLERATIONS, NETWORK_UNAVAILABLE] : DAEMON_TOLERATIONS
  for (const t of wanted) if (!out.some((x) => sameToleration(x, t))) out.push({ ...t })
  return out
}

export interface NodeVerdict {
  /** a daemon pod should be created here if there is none */
  shouldRun: boolean
  /** a daemon pod already here may stay */
  shouldContinueRunning: boolean
}

/** NodeShouldRunDaemonPod */
export function nodeShouldRun(node: Node, ds: DaemonSet): NodeVerdict {
  const spec = ds.spec.template.spec
  const name = node.metadata.name!
  const no = { shouldRun: false, shouldContinueRunning: false }
  if (spec.nodeName && spec.nodeName !== name) return no
  if (!fitsNodeAffinity(spec, { name, labels: node.metadata.labels ?? {} })) return no
  const tolerations = withDaemonTolerations(spec)
  const taints = node.spec?.taints
  const blocking = untoleratedTaint(taints, tolerations, (t) => t.effect !== 'PreferNoSchedule')
  if (!blocking) return { shouldRun: true, shouldContinueRunning: true }
  const evicting = untoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute')
  return { shouldRun: false, shouldContinueRunning: !evicting }
}

/** the template generation the API server keeps in the annotation, if any (GetTemplateGeneration) */
export function templateGeneration(ds: DaemonSet): string | undefined {
  const v = ds.metadata.annotations?.[TEMPLATE_GENERATION]
  return v !== undefined && /^-?\d+$/.test(v) ? v : undefined
}

/** the template the pods are made from (CreatePodTemplate): labels and tolerations added */
export function daemonTemplate(ds: DaemonSet, hash: string): PodTemplateSpec {
  const t = structuredClone(ds.spec.template)
  const generation = templateGeneration(ds)
  t.metadata = {
    ...t.metadata,
    labels: {
      ...t.metadata?.labels,
      ...(generation !== undefined ? { [TEMPLATE_GENERATION_LABEL]: generation } : {}),
      [REVISION_HASH]: hash,
    },
  }
  t.spec.tolerations = withDaemonTolerations(t.spec)
  return t
}

/** the template's affinity with its required node terms replaced by matchFields metadata.name
 * In [node] (ReplaceDaemonSetPodNodeNameNodeAffinity) */
export function pinnedTo(spec: PodSpec, node: string): PodSpec['affinity'] {
  const term = { matchFields: [{ key: 'metadata.name', operator: 'In' as const, values: [node] }] }
  const affinity = spec.affinity ?? {}
  return {
    ...affinity,
    nodeAffinity: {
      ...affinity.nodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] },
    },
  }
}

/** the node a daemon pod is for: its nodeName, else its matchFields metadata.name (GetTargetNodeName) */
export function targetNode(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName
  const terms =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
      ?.nodeSelectorTerms ?? []
  for (const term of terms)
    for (const r of term.matchFields ?? [])
      if (r.key === 'metadata.name' && r.operator === 'In')
        return r.values?.length === 1 ? r.values[0] : undefined
  return undefined
}

/** the pod was made from the current template (IsPodUpdated) */
export function isUpdated(pod: Pod, hash: string, generation: string | undefined): boolean {
  const labels = pod.metadata.labels ?? {}
  return (
    (generation !== undefined && labels[TEMPLATE_GENERATION_LABEL] === generation) ||
    (hash !== '' && labels[REVISION_HASH] === hash)
  )
}

/** scheduled first, then oldest, then by name (podByCreationTimestampAndPhase) */
export function oldestFirst(a: Pod, b: Pod): number {
  const scheduled = Number(!!b.spec?.nodeName) - Number(!!a.spec?.nodeName)
  if (scheduled) return scheduled
  const t = (p: Pod) => Date.parse(p.metadata.creationTimestamp ?? '') || 0
  return t(a) - t(b) || ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1)
}

/** maxSurge and maxUnavailable over the nodes that should run the pod, percentages rounded up;
 * both 0 means 1 unavailable (updatedDesiredNodeCounts) */
export function fenceposts(ds: DaemonSet, desired: number): { surge: number; unavailable: number } {
  const ru = ds.spec.updateStrategy?.rollingUpdate
  const surge = scaled(ru?.maxSurge ?? 0, desired, true)
  const unavailable = scaled(ru?.maxUnavailable ?? 1, desired, true)
  return { surge, unavailable: desired > 0 && !surge && !unavailable ? 1 : unavailable }
}

/** surge is allowed: maxSurge of one node is not 0 (AllowsSurge) */
export const allowsSurge = (ds: DaemonSet) =>
  ds.spec.updateStrategy?.type !== 'OnDelete' && fenceposts(ds, 1).surge > 0
