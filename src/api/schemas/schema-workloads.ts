// Field schemas of apps/v1 Deployment, ReplicaSet and DaemonSet, batch/v1 Job, autoscaling/v2
// HorizontalPodAutoscaler (and autoscaling/v1) and the autoscaling/v1 Scale subresource object.
import {
  bool,
  fields,
  int,
  int64,
  intOrStr,
  listOf,
  obj,
  qty,
  str,
  time,
  type ObjectSchema,
} from './field-schema.ts'
import { conditions, kindSchema, labelSelector } from './schema-meta.ts'
import { podTemplateSpec } from './schema-pod.ts'

const rollingUpdate: ObjectSchema = { maxUnavailable: intOrStr, maxSurge: intOrStr }

export const deployment = kindSchema({
  spec: {
    replicas: int,
    selector: labelSelector,
    template: podTemplateSpec,
    strategy: { type: str, rollingUpdate },
    ...fields(int, 'minReadySeconds', 'revisionHistoryLimit', 'progressDeadlineSeconds'),
    paused: bool,
  },
  status: {
    observedGeneration: int64,
    ...fields(
      int,
      'replicas',
      'updatedReplicas',
      'readyReplicas',
      'availableReplicas',
      'unavailableReplicas',
      'terminatingReplicas',
      'collisionCount',
    ),
    conditions,
  },
})

export const replicaSet = kindSchema({
  spec: {
    ...fields(int, 'replicas', 'minReadySeconds'),
    selector: labelSelector,
    template: podTemplateSpec,
  },
  status: {
    observedGeneration: int64,
    ...fields(
      int,
      'replicas',
      'fullyLabeledReplicas',
      'readyReplicas',
      'availableReplicas',
      'terminatingReplicas',
    ),
    conditions,
  },
})

export const daemonSet = kindSchema({
  spec: {
    selector: labelSelector,
    template: podTemplateSpec,
    updateStrategy: { type: str, rollingUpdate },
    ...fields(int, 'minReadySeconds', 'revisionHistoryLimit'),
  },
  status: {
    observedGeneration: int64,
    ...fields(
      int,
      'currentNumberScheduled',
      'numberMisscheduled',
      'desiredNumberScheduled',
      'numberReady',
      'updatedNumberScheduled',
      'numberAvailable',
      'numberUnavailable',
      'collisionCount',
    ),
    conditions,
  },
})

export const controllerRevision = kindSchema({ data: obj, revision: int64 })

export const job = kindSchema({
  spec: {
    activeDeadlineSeconds: int64,
    ...fields(
      int,
      'parallelism',
      'completions',
      'backoffLimit',
      'backoffLimitPerIndex',
      'maxFailedIndexes',
      'ttlSecondsAfterFinished',
    ),
    ...fields(obj, 'podFailurePolicy', 'successPolicy'),
    selector: labelSelector,
    ...fields(bool, 'manualSelector', 'suspend'),
    template: podTemplateSpec,
    ...fields(str, 'completionMode', 'podReplacementPolicy', 'managedBy'),
  },
  status: {
    conditions,
    ...fields(time, 'startTime', 'completionTime'),
    ...fields(int, 'active', 'succeeded', 'failed', 'terminating', 'ready'),
    ...fields(str, 'completedIndexes', 'failedIndexes'),
    uncountedTerminatedPods: obj,
  },
})

const metricTarget: ObjectSchema = {
  type: str,
  value: qty,
  averageValue: qty,
  averageUtilization: int,
}
const metricValue: ObjectSchema = { value: qty, averageValue: qty, averageUtilization: int }

const objectRef: ObjectSchema = { kind: str, name: str, apiVersion: str }
const metricId: ObjectSchema = { name: str, selector: labelSelector }
const scalingRules: ObjectSchema = {
  stabilizationWindowSeconds: int,
  selectPolicy: str,
  policies: listOf({ type: str, value: int, periodSeconds: int }),
}

export const horizontalPodAutoscaler = kindSchema({
  spec: {
    scaleTargetRef: objectRef,
    ...fields(int, 'minReplicas', 'maxReplicas'),
    metrics: listOf({
      type: str,
      resource: { name: str, target: metricTarget },
      pods: { metric: metricId, target: metricTarget },
      object: { describedObject: objectRef, metric: metricId, target: metricTarget },
      containerResource: { name: str, container: str, target: metricTarget },
      external: { metric: metricId, target: metricTarget },
    }),
    behavior: { scaleUp: scalingRules, scaleDown: scalingRules },
  },
  status: {
    observedGeneration: int64,
    ...fields(int, 'currentReplicas', 'desiredReplicas'),
    lastScaleTime: time,
    currentMetrics: listOf({
      type: str,
      resource: { name: str, current: metricValue },
      pods: { metric: metricId, current: metricValue },
      object: { describedObject: objectRef, metric: metricId, current: metricValue },
      containerResource: { name: str, container: str, current: metricValue },
      external: { metric: metricId, current: metricValue },
    }),
    conditions,
  },
})

/** autoscaling/v1 HorizontalPodAutoscaler: one CPU target (other metrics ride in annotations, resources/hpa-conversion.ts) */
export const horizontalPodAutoscalerV1 = kindSchema({
  spec: {
    scaleTargetRef: { kind: str, name: str, apiVersion: str },
    ...fields(int, 'minReplicas', 'maxReplicas', 'targetCPUUtilizationPercentage'),
  },
  status: {
    observedGeneration: int64,
    ...fields(int, 'currentReplicas', 'desiredReplicas', 'currentCPUUtilizationPercentage'),
    lastScaleTime: time,
  },
})

/** autoscaling/v1 Scale: status.selector is a selector string */
export const scale = kindSchema({
  spec: { replicas: int },
  status: { replicas: int, selector: str },
})
