// autoscaling/v2 HorizontalPodAutoscaler and the autoscaling/v1 Scale subresource object.
import type { Condition, KubeObject, LabelSelector, Quantity } from './meta.ts'

export interface CrossVersionObjectReference {
  kind: string
  name: string
  apiVersion?: string
}

export interface MetricTarget {
  type: 'Utilization' | 'AverageValue' | 'Value'
  averageUtilization?: number
  averageValue?: Quantity
  value?: Quantity
}

/** a custom metric by name, optionally narrowed by its labels */
export interface MetricIdentifier {
  name: string
  selector?: LabelSelector
}

export type MetricSourceType = 'Resource' | 'Pods' | 'Object' | 'ContainerResource' | 'External'

export interface MetricSpec {
  type: MetricSourceType
  /** usage of each pod as a share of its requests (or an average value): cpu, memory */
  resource?: { name: string; target: MetricTarget }
  /** a metric each pod has (e.g. http_requests_per_second), averaged over the pods */
  pods?: { metric: MetricIdentifier; target: MetricTarget }
  /** a metric of one object of the namespace (e.g. requests per second of a Service) */
  object?: {
    describedObject: CrossVersionObjectReference
    metric: MetricIdentifier
    target: MetricTarget
  }
  containerResource?: { name: string; container: string; target: MetricTarget }
  external?: { metric: MetricIdentifier; target: MetricTarget }
}

export interface MetricValueStatus {
  averageUtilization?: number
  averageValue?: Quantity
  value?: Quantity
}

export interface MetricStatus {
  type: MetricSourceType
  resource?: { name: string; current: MetricValueStatus }
  pods?: { metric: MetricIdentifier; current: MetricValueStatus }
  object?: {
    describedObject: CrossVersionObjectReference
    metric: MetricIdentifier
    current: MetricValueStatus
  }
  containerResource?: { name: string; container: string; current: MetricValueStatus }
  external?: { metric: MetricIdentifier; current: MetricValueStatus }
}

/** at most `value` pods (Pods) or percent of the replicas (Percent) added or removed per period */
export interface HPAScalingPolicy {
  type: 'Pods' | 'Percent'
  value: number
  periodSeconds: number
}

export interface HPAScalingRules {
  /** recommendations of this long ago still count (scale down: the highest; up: the lowest) */
  stabilizationWindowSeconds?: number
  /** which policy wins: the one allowing the largest change (Max), the smallest (Min), none */
  selectPolicy?: 'Max' | 'Min' | 'Disabled'
  policies?: HPAScalingPolicy[]
}

export interface HorizontalPodAutoscalerBehavior {
  scaleUp?: HPAScalingRules
  scaleDown?: HPAScalingRules
}

export interface HorizontalPodAutoscalerSpec {
  scaleTargetRef: CrossVersionObjectReference
  minReplicas?: number
  maxReplicas: number
  metrics?: MetricSpec[]
  behavior?: HorizontalPodAutoscalerBehavior
}

export interface HorizontalPodAutoscalerStatus {
  observedGeneration?: number
  lastScaleTime?: string
  currentReplicas?: number
  desiredReplicas: number
  currentMetrics?: MetricStatus[]
  conditions?: Condition[]
}

export interface HorizontalPodAutoscaler extends KubeObject {
  spec: HorizontalPodAutoscalerSpec
  status?: HorizontalPodAutoscalerStatus
}

/** autoscaling/v1 Scale, served at deployments/{name}/scale. status.selector is a selector string. */
export interface Scale extends KubeObject {
  spec: { replicas?: number }
  status?: { replicas: number; selector?: string }
}

/** autoscaling/v1 HorizontalPodAutoscaler: one CPU target; served besides v2, stored as v2 (resources/hpa-conversion.ts) */
export interface HorizontalPodAutoscalerV1 extends KubeObject {
  spec: {
    scaleTargetRef: CrossVersionObjectReference
    minReplicas?: number
    maxReplicas: number
    targetCPUUtilizationPercentage?: number
  }
  status?: {
    observedGeneration?: number
    lastScaleTime?: string
    currentReplicas: number
    desiredReplicas: number
    currentCPUUtilizationPercentage?: number
  }
}
