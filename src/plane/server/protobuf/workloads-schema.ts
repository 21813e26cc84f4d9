// apps/v1, batch/v1, autoscaling/v2 and autoscaling/v1 messages (k8s.io/api/{apps/v1,batch/v1,
// autoscaling/v2,autoscaling/v1}/generated.proto, as compiled into kubectl v1.32). Pod templates
// are core's PodTemplateSpec. autoscaling/v1 messages that differ from v2's end in V1.

export const workloadsTables: Record<string, string> = {
  Deployment: '1:metadata:ObjectMeta 2:spec:DeploymentSpec',
  DeploymentSpec:
    '1:replicas:int? 2:selector:LabelSelector 3:template:PodTemplateSpec 4:strategy:DeploymentStrategy ' +
    '5:minReadySeconds:int 6:revisionHistoryLimit:int? 7:paused:bool 9:progressDeadlineSeconds:int?',
  DeploymentStrategy: '1:type 2:rollingUpdate:RollingUpdate',
  // RollingUpdateDeployment and RollingUpdateDaemonSet share their layout
  RollingUpdate: '1:maxUnavailable:IntOrString? 2:maxSurge:IntOrString?',
  DaemonSet: '1:metadata:ObjectMeta 2:spec:DaemonSetSpec',
  DaemonSetSpec:
    '1:selector:LabelSelector 2:template:PodTemplateSpec 3:updateStrategy:DaemonSetUpdateStrategy ' +
    '4:minReadySeconds:int 6:revisionHistoryLimit:int?',
  DaemonSetUpdateStrategy: '1:type 2:rollingUpdate:RollingUpdate',
  Job: '1:metadata:ObjectMeta 2:spec:JobSpec',
  JobSpec:
    '1:parallelism:int? 2:completions:int? 3:activeDeadlineSeconds:int? 7:backoffLimit:int? ' +
    '12:backoffLimitPerIndex:int? 13:maxFailedIndexes:int? 4:selector:LabelSelector 5:manualSelector:bool? ' +
    '6:template:PodTemplateSpec 8:ttlSecondsAfterFinished:int? 9:completionMode:string? 10:suspend:bool? ' +
    '14:podReplacementPolicy:string? 15:managedBy:string?',
  CronJob: '1:metadata:ObjectMeta 2:spec:CronJobSpec',
  CronJobSpec:
    '1:schedule 8:timeZone:string? 2:startingDeadlineSeconds:int? 3:concurrencyPolicy 4:suspend:bool? ' +
    '5:jobTemplate:JobTemplateSpec 6:successfulJobsHistoryLimit:int? 7:failedJobsHistoryLimit:int?',
  JobTemplateSpec: '1:metadata:ObjectMeta 2:spec:JobSpec',
  HorizontalPodAutoscaler: '1:metadata:ObjectMeta 2:spec:HorizontalPodAutoscalerSpec',
  HorizontalPodAutoscalerSpec:
    '1:scaleTargetRef:CrossVersionObjectReference 2:minReplicas:int? 3:maxReplicas:int 4:metrics:[]MetricSpec ' +
    '5:behavior:HorizontalPodAutoscalerBehavior',
  CrossVersionObjectReference: '1:kind 2:name 3:apiVersion',
  MetricSpec: '1:type 4:resource:ResourceMetricSource',
  ResourceMetricSource: '1:name 2:target:MetricTarget',
  MetricTarget: '1:type 2:value:Quantity 3:averageValue:Quantity 4:averageUtilization:int?',
  HorizontalPodAutoscalerBehavior: '1:scaleUp:HPAScalingRules 2:scaleDown:HPAScalingRules',
  HPAScalingRules:
    '3:stabilizationWindowSeconds:int? 1:selectPolicy:string? 2:policies:[]HPAScalingPolicy',
  HPAScalingPolicy: '1:type 2:value:int 3:periodSeconds:int',
  // autoscaling/v1, as `kubectl autoscale` sends it
  HorizontalPodAutoscalerV1:
    '1:metadata:ObjectMeta 2:spec:HorizontalPodAutoscalerSpecV1 3:status:HorizontalPodAutoscalerStatusV1',
  HorizontalPodAutoscalerSpecV1:
    '1:scaleTargetRef:CrossVersionObjectReference 2:minReplicas:int? 3:maxReplicas:int 4:targetCPUUtilizationPercentage:int?',
  HorizontalPodAutoscalerStatusV1:
    '1:observedGeneration:int? 2:lastScaleTime:Time 3:currentReplicas:int? 4:desiredReplicas:int? 5:currentCPUUtilizationPercentage:int?',
}
