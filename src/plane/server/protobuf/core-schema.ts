// core/v1 messages (k8s.io/api/core/v1/generated.proto, as compiled into kubectl v1.32): the
// fields Shoal models plus the plain ones kubectl and client-go commonly send. Fields not listed
// here (status, affinity, securityContext, lifecycle, ...) are skipped by number.

export const coreTables: Record<string, string> = {
  Namespace: '1:metadata:ObjectMeta 2:spec:NamespaceSpec',
  NamespaceSpec: '1:finalizers:[]string',
  Node: '1:metadata:ObjectMeta 2:spec:NodeSpec',
  NodeSpec:
    '1:podCIDR 7:podCIDRs:[]string 3:providerID 4:unschedulable:bool 5:taints:[]Taint 2:externalID',
  Taint: '1:key 2:value 3:effect 4:timeAdded:Time',
  ConfigMap: '1:metadata:ObjectMeta 4:immutable:bool? 2:data:{}string 3:binaryData:{}bytes',
  Secret: '1:metadata:ObjectMeta 5:immutable:bool? 2:data:{}bytes 4:stringData:{}string 3:type',
  Pod: '1:metadata:ObjectMeta 2:spec:PodSpec',
  PodTemplateSpec: '1:metadata:ObjectMeta 2:spec:PodSpec',
  PodSpec:
    '1:volumes:[]Volume 20:initContainers:[]Container 2:containers:[]Container 3:restartPolicy ' +
    '4:terminationGracePeriodSeconds:int? 5:activeDeadlineSeconds:int? 6:dnsPolicy 7:nodeSelector:{}string ' +
    '8:serviceAccountName 9:serviceAccount 21:automountServiceAccountToken:bool? 10:nodeName 11:hostNetwork:bool ' +
    '15:imagePullSecrets:[]LocalObjectReference 16:hostname 17:subdomain 19:schedulerName 22:tolerations:[]Toleration ' +
    '24:priorityClassName 25:priority:int? 30:enableServiceLinks:bool? 31:preemptionPolicy:string?',
  Container:
    '1:name 2:image 3:command:[]string 4:args:[]string 5:workingDir 6:ports:[]ContainerPort 7:env:[]EnvVar ' +
    '8:resources:ResourceRequirements 24:restartPolicy:string? 9:volumeMounts:[]VolumeMount 10:livenessProbe:Probe ' +
    '11:readinessProbe:Probe 22:startupProbe:Probe 13:terminationMessagePath 20:terminationMessagePolicy ' +
    '14:imagePullPolicy 16:stdin:bool 17:stdinOnce:bool 18:tty:bool',
  ContainerPort: '1:name 2:hostPort:int 3:containerPort:int 4:protocol 5:hostIP',
  EnvVar: '1:name 2:value 3:valueFrom:EnvVarSource',
  EnvVarSource:
    '1:fieldRef:ObjectFieldSelector 3:configMapKeyRef:KeySelector 4:secretKeyRef:KeySelector',
  // ConfigMapKeySelector and SecretKeySelector share their layout
  KeySelector: '1:*:LocalObjectReference 2:key 3:optional:bool?',
  ObjectFieldSelector: '1:apiVersion 2:fieldPath',
  LocalObjectReference: '1:name',
  ResourceRequirements: '1:limits:{}Quantity 2:requests:{}Quantity',
  Probe:
    '1:*:ProbeHandler 2:initialDelaySeconds:int 3:timeoutSeconds:int 4:periodSeconds:int ' +
    '5:successThreshold:int 6:failureThreshold:int 7:terminationGracePeriodSeconds:int?',
  ProbeHandler: '1:exec:ExecAction 2:httpGet:HTTPGetAction 3:tcpSocket:TCPSocketAction',
  ExecAction: '1:command:[]string',
  HTTPGetAction: '1:path 2:port:IntOrString 3:host 4:scheme',
  TCPSocketAction: '1:port:IntOrString 2:host',
  VolumeMount: '1:name 2:readOnly:bool 3:mountPath 4:subPath 5:mountPropagation 6:subPathExpr',
  Volume: '1:name 2:*:VolumeSource',
  VolumeSource:
    '1:hostPath:HostPathVolumeSource 2:emptyDir:EmptyDirVolumeSource 6:secret:SecretVolumeSource 19:configMap:ConfigMapVolumeSource',
  HostPathVolumeSource: '1:path 2:type:string?',
  EmptyDirVolumeSource: '1:medium 2:sizeLimit:Quantity',
  SecretVolumeSource: '1:secretName 2:items:[]KeyToPath 3:defaultMode:int? 4:optional:bool?',
  ConfigMapVolumeSource:
    '1:*:LocalObjectReference 2:items:[]KeyToPath 3:defaultMode:int? 4:optional:bool?',
  KeyToPath: '1:key 2:path 3:mode:int?',
  Toleration: '1:key 2:operator 3:value 4:effect 5:tolerationSeconds:int?',
  Service: '1:metadata:ObjectMeta 2:spec:ServiceSpec',
  ServiceSpec:
    '1:ports:[]ServicePort 2:selector:{}string 3:clusterIP 18:clusterIPs:[]string 4:type 5:externalIPs:[]string ' +
    '7:sessionAffinity 8:loadBalancerIP 9:loadBalancerSourceRanges:[]string 10:externalName 11:externalTrafficPolicy ' +
    '12:healthCheckNodePort:int 13:publishNotReadyAddresses:bool 19:ipFamilies:[]string 17:ipFamilyPolicy:string? ' +
    '20:allocateLoadBalancerNodePorts:bool? 21:loadBalancerClass:string? 22:internalTrafficPolicy:string? 23:trafficDistribution:string?',
  ServicePort:
    '1:name 2:protocol 6:appProtocol:string? 3:port:int 4:targetPort:IntOrString 5:nodePort:int',
  Endpoints: '1:metadata:ObjectMeta 2:subsets:[]EndpointSubset',
  EndpointSubset:
    '1:addresses:[]EndpointAddress 2:notReadyAddresses:[]EndpointAddress 3:ports:[]EndpointPort',
  EndpointAddress: '1:ip 3:hostname 4:nodeName:string? 2:targetRef:ObjectReference',
  EndpointPort: '1:name 2:port:int 3:protocol 4:appProtocol:string?',
  ObjectReference: '1:kind 2:namespace 3:name 4:uid 5:apiVersion 6:resourceVersion 7:fieldPath',
  // discovery.k8s.io/v1 (its EndpointPort numbers differ from core's: name 1, protocol 2, port 3)
  EndpointSlice:
    '1:metadata:ObjectMeta 4:addressType 2:endpoints:[]DiscoveryEndpoint 3:ports:[]DiscoveryEndpointPort',
  DiscoveryEndpoint:
    '1:addresses:[]string 2:conditions:EndpointConditions 3:hostname:string? 4:targetRef:ObjectReference ' +
    '5:deprecatedTopology:{}string 6:nodeName:string? 7:zone:string? 8:hints:EndpointHints',
  EndpointConditions: '1:ready:bool? 2:serving:bool? 3:terminating:bool?',
  EndpointHints: '1:forZones:[]ForZone',
  ForZone: '1:name',
  DiscoveryEndpointPort: '1:name:string? 2:protocol:string? 3:port:int? 4:appProtocol:string?',
  Event:
    '1:metadata:ObjectMeta 2:involvedObject:ObjectReference 3:reason 4:message 5:source:EventSource ' +
    '6:firstTimestamp:Time 7:lastTimestamp:Time 8:count:int 9:type 10:eventTime:MicroTime 12:action ' +
    '13:related:ObjectReference 14:reportingComponent 15:reportingInstance',
  EventSource: '1:component 2:host',
}
