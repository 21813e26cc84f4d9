// networking.k8s.io/v1 messages (k8s.io/api/networking/v1/generated.proto), for kubectl's
// `create ingress`. IngressRule embeds IngressRuleValue (field 2) inline.

export const networkingTables: Record<string, string> = {
  Ingress: '1:metadata:ObjectMeta 2:spec:IngressSpec',
  IngressSpec:
    '4:ingressClassName:string? 1:defaultBackend:IngressBackend 2:tls:[]IngressTLS 3:rules:[]IngressRule',
  IngressBackend: '4:service:IngressServiceBackend 3:resource:TypedLocalObjectReference',
  IngressServiceBackend: '1:name 2:port:ServiceBackendPort',
  ServiceBackendPort: '1:name 2:number:int',
  TypedLocalObjectReference: '1:apiGroup:string? 2:kind 3:name',
  IngressTLS: '1:hosts:[]string 2:secretName',
  IngressRule: '1:host 2:*:IngressRuleValue',
  IngressRuleValue: '1:http:HTTPIngressRuleValue',
  HTTPIngressRuleValue: '1:paths:[]HTTPIngressPath',
  HTTPIngressPath: '1:path 3:pathType:string? 2:backend:IngressBackend',
}
