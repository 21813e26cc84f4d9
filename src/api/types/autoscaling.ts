// autoscaling/v2 HorizontalPodAutoscaler and the autoscaling/v1 Scale subresource object.
import type { Condition, KubeObject, Quantity } from './meta.ts'

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

export interface MetricSpec {
  type: 'Resource'
  resource?: { name: 'cpu' | 'memory'; target: MetricTarget }
}

export interface MetricStatus {
  type: 'Resource'
  resource?: {
    name: 'cpu' | 'memory'
    current: { averageUtilization?: number; averageValue?: Quantity; value?: Quantity }
  }
}

export interface HorizontalPodAutoscalerSpec {
  scaleTargetRef: CrossVersionObjectReference
  minReplicas?: number
  maxReplicas: number
  metrics?: MetricSpec[]
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
