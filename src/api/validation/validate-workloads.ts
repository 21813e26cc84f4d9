// Validation of the workload kinds: Deployment, ReplicaSet, DaemonSet, ControllerRevision (apps/v1)
// and Job (batch/v1).
import type {
  ControllerRevision,
  DaemonSet,
  Deployment,
  DeploymentStrategy,
  IntOrString,
  Job,
  LabelSelector,
  PodTemplateSpec,
  ReplicaSet,
} from '../types/index.ts'
import { labelSelectorRequirements, matchesLabels } from '../selectors/index.ts'
import {
  checkRange,
  forbidden,
  invalid,
  notSupported,
  required,
  type FieldCause,
} from './field-errors.ts'
import { validateLabels, validateLabelSelector } from './validate-meta.ts'
import { validatePodSpec } from './validate-pod-spec.ts'

/** selector + template: the selector is set, valid, non-empty and matches the template's labels. */
function validateSelectorAndTemplate(
  selector: LabelSelector | undefined,
  template: PodTemplateSpec | undefined,
  options: { kind: string; restartPolicies: string[]; selectorRequired: boolean },
): FieldCause[] {
  const out: FieldCause[] = []
  if (!selector) {
    if (options.selectorRequired) out.push(required('spec.selector'))
  } else {
    out.push(...validateLabelSelector(selector, 'spec.selector'))
    const isEmpty =
      !Object.keys(selector.matchLabels ?? {}).length && !(selector.matchExpressions ?? []).length
    if (isEmpty)
      out.push(invalid('spec.selector', selector, `empty selector is invalid for ${options.kind}`))
  }
  if (!template || typeof template !== 'object') return [...out, required('spec.template')]
  const labels = template.metadata?.labels ?? {}
  out.push(...validateLabels(template.metadata?.labels, 'spec.template.metadata.labels'))
  const reqs = selector && labelSelectorRequirements(selector)
  if (reqs?.ok && reqs.value.length && !matchesLabels(reqs.value, labels))
    out.push(
      invalid(
        'spec.template.metadata.labels',
        labels,
        '`selector` does not match template `labels`',
      ),
    )
  out.push(
    ...validatePodSpec(template.spec, 'spec.template.spec', {
      restartPolicies: options.restartPolicies,
    }),
  )
  return out
}

const percentHelp =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"

function checkIntOrPercent(value: IntOrString | undefined, path: string): FieldCause[] {
  if (value === undefined) return []
  if (typeof value === 'number') return checkRange(path, value, 0)
  if (!/^[0-9]+%$/.test(String(value))) return [invalid(path, value, percentHelp)]
  return []
}

const isZero = (v: IntOrString | undefined) => v === 0 || v === '0%'

function validateStrategy(s: DeploymentStrategy | undefined, path: string): FieldCause[] {
  if (!s) return []
  const types = ['Recreate', 'RollingUpdate']
  if (!types.includes(s.type ?? '')) return [notSupported(`${path}.type`, s.type ?? '', types)]
  if (s.type === 'Recreate')
    return s.rollingUpdate
      ? [
          forbidden(
            `${path}.rollingUpdate`,
            "may not be specified when strategy `type` is 'Recreate'",
          ),
        ]
      : []
  const ru = s.rollingUpdate ?? {}
  const out = [
    ...checkIntOrPercent(ru.maxUnavailable, `${path}.rollingUpdate.maxUnavailable`),
    ...checkIntOrPercent(ru.maxSurge, `${path}.rollingUpdate.maxSurge`),
  ]
  if (typeof ru.maxUnavailable === 'string' && parseInt(ru.maxUnavailable, 10) > 100)
    out.push(
      invalid(
        `${path}.rollingUpdate.maxUnavailable`,
        ru.maxUnavailable,
        'must not be greater than 100%',
      ),
    )
  if (isZero(ru.maxUnavailable) && isZero(ru.maxSurge))
    out.push(
      invalid(
        `${path}.rollingUpdate.maxUnavailable`,
        ru.maxUnavailable,
        'may not be 0 when `maxSurge` is 0',
      ),
    )
  return out
}

export function validateDeployment(d: Deployment): FieldCause[] {
  const spec = d.spec
  if (!spec || typeof spec !== 'object') return [required('spec')]
  const out = [
    ...checkRange('spec.replicas', spec.replicas, 0),
    ...validateSelectorAndTemplate(spec.selector, spec.template, {
      kind: 'deployment',
      restartPolicies: ['Always'],
      selectorRequired: true,
    }),
    ...validateStrategy(spec.strategy, 'spec.strategy'),
    ...checkRange('spec.minReadySeconds', spec.minReadySeconds, 0),
    ...checkRange('spec.revisionHistoryLimit', spec.revisionHistoryLimit, 0),
    ...checkRange('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 0),
  ]
  if (
    spec.progressDeadlineSeconds !== undefined &&
    spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)
  )
    out.push(
      invalid(
        'spec.progressDeadlineSeconds',
        spec.progressDeadlineSeconds,
        'must be greater than minReadySeconds',
      ),
    )
  return out
}

/** as ValidateReplicaSetSpec: replicas ≥ 0, a selector that matches the template's labels */
export function validateReplicaSet(rs: ReplicaSet): FieldCause[] {
  const spec = rs.spec
  if (!spec || typeof spec !== 'object') return [required('spec')]
  return [
    ...checkRange('spec.replicas', spec.replicas, 0),
    ...checkRange('spec.minReadySeconds', spec.minReadySeconds, 0),
    ...validateSelectorAndTemplate(spec.selector, spec.template, {
      kind: 'replicaset',
      restartPolicies: ['Always'],
      selectorRequired: true,
    }),
  ]
}

export function validateDaemonSet(ds: DaemonSet): FieldCause[] {
  const spec = ds.spec
  if (!spec || typeof spec !== 'object') return [required('spec')]
  const out = validateSelectorAndTemplate(spec.selector, spec.template, {
    kind: 'daemonset',
    restartPolicies: ['Always'],
    selectorRequired: true,
  })
  const strategy = spec.updateStrategy
  const types = ['RollingUpdate', 'OnDelete']
  if (strategy && !types.includes(strategy.type ?? ''))
    out.push(notSupported('spec.updateStrategy.type', strategy.type ?? '', types))
  const ru = strategy?.rollingUpdate
  if (ru) {
    out.push(
      ...checkIntOrPercent(ru.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable'),
    )
    out.push(...checkIntOrPercent(ru.maxSurge, 'spec.updateStrategy.rollingUpdate.maxSurge'))
    if (isZero(ru.maxUnavailable) && isZero(ru.maxSurge ?? 0))
      out.push(
        invalid(
          'spec.updateStrategy.rollingUpdate.maxUnavailable',
          ru.maxUnavailable,
          'may not be 0 when `maxSurge` is 0',
        ),
      )
  }
  out.push(...checkRange('spec.minReadySeconds', spec.minReadySeconds, 0))
  out.push(...checkRange('spec.revisionHistoryLimit', spec.revisionHistoryLimit, 0))
  return out
}

/** as ValidateControllerRevision: data is required, revision is not negative */
export function validateControllerRevision(cr: ControllerRevision): FieldCause[] {
  const out = cr.data === undefined || cr.data === null ? [required('data')] : []
  return [...out, ...checkRange('revision', cr.revision, 0)]
}

export function validateJob(job: Job): FieldCause[] {
  const spec = job.spec
  if (!spec || typeof spec !== 'object') return [required('spec')]
  return [
    ...checkRange('spec.parallelism', spec.parallelism, 0),
    ...checkRange('spec.completions', spec.completions, 0),
    ...checkRange('spec.backoffLimit', spec.backoffLimit, 0),
    ...checkRange('spec.activeDeadlineSeconds', spec.activeDeadlineSeconds, 1),
    ...checkRange('spec.ttlSecondsAfterFinished', spec.ttlSecondsAfterFinished, 0),
    // Indexed completion is Kubernetes' too, but Shoal's Job controller runs NonIndexed only so far
    ...(spec.completionMode !== undefined && spec.completionMode !== 'NonIndexed'
      ? [notSupported('spec.completionMode', spec.completionMode, ['NonIndexed'])]
      : []),
    ...validateSelectorAndTemplate(spec.selector, spec.template, {
      kind: 'job',
      restartPolicies: ['OnFailure', 'Never'],
      selectorRequired: spec.manualSelector === true,
    }),
  ]
}
