// Table cells of the workload kinds (apps/v1, batch/v1, autoscaling/v2), as kubectl's printers.
import type {
  ControllerRevision,
  DaemonSet,
  Deployment,
  HorizontalPodAutoscaler,
  HorizontalPodAutoscalerV1,
  Job,
  LabelSelector,
  PodTemplateSpec,
  ReplicaSet,
} from '../types/index.ts'
import { hpaFromV1 } from '../resources/index.ts'
import { labelSelectorToString } from '../selectors/index.ts'
import { ageSince, humanDuration } from './age.ts'
import { formatLabels, type Cell, type RowFn } from './table-rows-core.ts'

function wideCells(
  template: PodTemplateSpec | undefined,
  selector: LabelSelector | undefined,
): Cell[] {
  const containers = template?.spec?.containers ?? []
  const sel = selector ? labelSelectorToString(selector) : undefined
  return [
    containers.map((c) => c.name).join(','),
    containers.map((c) => c.image).join(','),
    !sel ? '<none>' : sel.ok ? sel.value || '<none>' : '<invalid>',
  ]
}

export const deploymentRow: RowFn<Deployment> = (d, now) => [
  d.metadata.name ?? '',
  `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
  d.status?.updatedReplicas ?? 0,
  d.status?.availableReplicas ?? 0,
  ageSince(d.metadata.creationTimestamp, now),
  ...wideCells(d.spec?.template, d.spec?.selector),
]

export const replicaSetRow: RowFn<ReplicaSet> = (rs, now) => [
  rs.metadata.name ?? '',
  rs.spec?.replicas ?? 0,
  rs.status?.replicas ?? 0,
  rs.status?.readyReplicas ?? 0,
  ageSince(rs.metadata.creationTimestamp, now),
  ...wideCells(rs.spec?.template, rs.spec?.selector),
]

export const daemonSetRow: RowFn<DaemonSet> = (ds, now) => [
  ds.metadata.name ?? '',
  ds.status?.desiredNumberScheduled ?? 0,
  ds.status?.currentNumberScheduled ?? 0,
  ds.status?.numberReady ?? 0,
  ds.status?.updatedNumberScheduled ?? 0,
  ds.status?.numberAvailable ?? 0,
  formatLabels(ds.spec?.template?.spec?.nodeSelector),
  ageSince(ds.metadata.creationTimestamp, now),
  ...wideCells(ds.spec?.template, ds.spec?.selector),
]

/** the controller as kubectl names it: "daemonset.apps/name" (kind.group, lower case) */
export const controllerRevisionRow: RowFn<ControllerRevision> = (cr, now) => {
  const ref = cr.metadata.ownerReferences?.find((r) => r.controller)
  const group = ref?.apiVersion.includes('/') ? `.${ref.apiVersion.split('/')[0]}` : ''
  return [
    cr.metadata.name ?? '',
    ref ? `${ref.kind.toLowerCase()}${group}/${ref.name}` : '<none>',
    cr.revision ?? 0,
    ageSince(cr.metadata.creationTimestamp, now),
  ]
}

function jobStatus(job: Job): string {
  const has = (type: string) =>
    job.status?.conditions?.some((c) => c.type === type && c.status === 'True')
  if (has('Complete')) return 'Complete'
  if (has('Failed')) return 'Failed'
  if (job.metadata.deletionTimestamp) return 'Terminating'
  if (has('Suspended')) return 'Suspended'
  if (has('FailureTarget')) return 'FailureTarget'
  if (has('SuccessCriteriaMet')) return 'SuccessCriteriaMet'
  return 'Running'
}

export const jobRow: RowFn<Job> = (job, now) => {
  const succeeded = job.status?.succeeded ?? 0
  const parallelism = job.spec?.parallelism ?? 0
  const completions =
    job.spec?.completions !== undefined
      ? `${succeeded}/${job.spec.completions}`
      : parallelism > 1
        ? `${succeeded}/1 of ${parallelism}`
        : `${succeeded}/1`
  const start = Date.parse(job.status?.startTime ?? '')
  const end = job.status?.completionTime ? Date.parse(job.status.completionTime) : now
  const duration = Number.isNaN(start) ? '' : humanDuration(end - start)
  return [
    job.metadata.name ?? '',
    jobStatus(job),
    completions,
    duration,
    ageSince(job.metadata.creationTimestamp, now),
    ...wideCells(job.spec?.template, job.spec?.selector),
  ]
}

/**
 * "cpu: 50%/80%, memory: <unknown>/100Mi, 12/10", as kubectl shows HPA targets: each metric of the
 * spec beside the status' metric at the same index (the controller keeps them in spec order)
 */
export function formatMetrics(hpa: HorizontalPodAutoscaler): string {
  const specs = hpa.spec?.metrics ?? []
  if (!specs.length) return '<none>'
  const statuses = hpa.status?.currentMetrics ?? []
  const parts = specs.map((m, i) => {
    const st = statuses[i]
    const shown = (v: unknown) => (v === undefined || v === null ? '<unknown>' : String(v))
    switch (m.type) {
      case 'Pods':
        return `${shown(st?.pods?.current.averageValue)}/${m.pods?.target?.averageValue}`
      case 'Object':
      case 'External': {
        const t = m.type === 'Object' ? m.object?.target : m.external?.target
        const cur = m.type === 'Object' ? st?.object?.current : st?.external?.current
        return t?.averageValue !== undefined
          ? `${shown(cur?.averageValue)}/${t.averageValue} (avg)`
          : `${shown(cur?.value)}/${t?.value}`
      }
    }
    const src = m.type === 'ContainerResource' ? m.containerResource : m.resource
    const cur = (m.type === 'ContainerResource' ? st?.containerResource : st?.resource)?.current
    const name = src?.name ?? '<unknown>'
    const prefix =
      m.type === 'ContainerResource'
        ? `${name} of container "${m.containerResource?.container}"`
        : name
    const t = src?.target
    if (t?.averageValue !== undefined)
      return `${prefix}: ${shown(cur?.averageValue)}/${t.averageValue}`
    const now = cur?.averageUtilization !== undefined ? `${cur.averageUtilization}%` : '<unknown>'
    const target = t?.averageUtilization !== undefined ? `${t.averageUtilization}%` : '<auto>'
    return `${prefix}: ${now}/${target}`
  })
  return parts.length > 2
    ? `${parts.slice(0, 2).join(', ')} + ${parts.length - 2} more...`
    : parts.join(', ')
}

/** rows of either version served: an autoscaling/v1 object is read as v2 (its metrics are in annotations) */
export const autoscalerRow: RowFn<HorizontalPodAutoscaler> = (served, now) => {
  const v2 =
    served.apiVersion === 'autoscaling/v1'
      ? hpaFromV1(served as unknown as HorizontalPodAutoscalerV1)
      : undefined
  return autoscalerCells(v2?.ok ? v2.value : served, now)
}

const autoscalerCells: RowFn<HorizontalPodAutoscaler> = (hpa, now) => [
  hpa.metadata.name ?? '',
  `${hpa.spec?.scaleTargetRef?.kind ?? ''}/${hpa.spec?.scaleTargetRef?.name ?? ''}`,
  formatMetrics(hpa),
  hpa.spec?.minReplicas !== undefined ? String(hpa.spec.minReplicas) : '<unset>',
  hpa.spec?.maxReplicas ?? 0,
  hpa.status?.currentReplicas ?? 0,
  ageSince(hpa.metadata.creationTimestamp, now),
]
