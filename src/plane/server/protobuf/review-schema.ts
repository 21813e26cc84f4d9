// authorization.k8s.io/v1 and authentication.k8s.io/v1 self-reviews, as `kubectl auth can-i` and
// `kubectl auth whoami` send them (k8s.io/api/{authorization,authentication}/v1/generated.proto).
// Only what a request carries: the status a client sends is empty and is not read.

export const reviewTables: Record<string, string> = {
  SelfSubjectAccessReview: '1:metadata:ObjectMeta 2:spec:SelfSubjectAccessReviewSpec',
  SelfSubjectAccessReviewSpec:
    '1:resourceAttributes:ResourceAttributes 2:nonResourceAttributes:NonResourceAttributes',
  ResourceAttributes: '1:namespace 2:verb 3:group 4:version 5:resource 6:subresource 7:name',
  NonResourceAttributes: '1:path 2:verb',
  SelfSubjectRulesReview: '1:metadata:ObjectMeta 2:spec:SelfSubjectRulesReviewSpec',
  SelfSubjectRulesReviewSpec: '1:namespace',
  SelfSubjectReview: '1:metadata:ObjectMeta',
}
