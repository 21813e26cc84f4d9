// meta/v1 messages every object carries (k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto).
// Time, Quantity and IntOrString are wrappers the decoder reads itself (see schema.ts).

export const metaTables: Record<string, string> = {
  ObjectMeta:
    '1:name 2:generateName 3:namespace 5:uid 6:resourceVersion 7:generation:int 8:creationTimestamp:Time ' +
    '9:deletionTimestamp:Time 10:deletionGracePeriodSeconds:int? 11:labels:{}string 12:annotations:{}string ' +
    '13:ownerReferences:[]OwnerReference 14:finalizers:[]string',
  OwnerReference: '5:apiVersion 1:kind 3:name 4:uid 6:controller:bool? 7:blockOwnerDeletion:bool?',
  LabelSelector: '1:matchLabels:{}string 2:matchExpressions:[]LabelSelectorRequirement',
  LabelSelectorRequirement: '1:key 2:operator 3:values:[]string',
}
