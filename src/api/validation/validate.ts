// validate(obj): every problem of an object, as field causes with Kubernetes' paths
// ("metadata.name", "spec.template.spec.containers[1].name"). Run it after applyDefaults.
import { lookupTable } from '../json/index.ts'
import type { KubeObject } from '../types/index.ts'
import { dns1035Label, dns1123Label, dns1123Subdomain, pathSegmentName } from '../formats/index.ts'
import { allResources, apiVersionOf, resourceByKind } from '../resources/index.ts'
import { invalid, notSupported, required, type FieldCause } from './field-errors.ts'
import { validateObjectMeta, type NameRule } from './validate-meta.ts'
import { validatePodSpec } from './validate-pod-spec.ts'
import {
  validateControllerRevision,
  validateDaemonSet,
  validateDeployment,
  validateJob,
  validateReplicaSet,
} from './validate-workloads.ts'
import { validateAutoscaler } from './validate-autoscaler.ts'
import { validateEndpoints, validateService } from './validate-service.ts'
import { validateConfigMap, validateSecret } from './validate-config.ts'
import { validateEvent, validateNode } from './validate-cluster.ts'
import { validateLease } from './validate-lease.ts'
import { validateCronJob } from './validate-cronjob.ts'
import { validateEndpointSlice } from './validate-endpointslice.ts'
import { validateIngress } from './validate-ingress.ts'

interface KindRules {
  name: NameRule
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each kind validates its own shape
  body?: (obj: any) => FieldCause[]
}

const kinds = lookupTable<KindRules>({
  Namespace: { name: dns1123Label },
  Node: { name: dns1123Subdomain, body: validateNode },
  Pod: { name: dns1123Subdomain, body: (pod) => validatePodSpec(pod.spec, 'spec') },
  Service: { name: dns1035Label, body: validateService },
  Endpoints: { name: dns1123Subdomain, body: validateEndpoints },
  Secret: { name: dns1123Subdomain, body: validateSecret },
  ConfigMap: { name: dns1123Subdomain, body: validateConfigMap },
  Event: { name: dns1123Subdomain, body: validateEvent },
  Deployment: { name: dns1123Subdomain, body: validateDeployment },
  ReplicaSet: { name: dns1123Subdomain, body: validateReplicaSet },
  DaemonSet: { name: dns1123Subdomain, body: validateDaemonSet },
  ControllerRevision: { name: dns1123Subdomain, body: validateControllerRevision },
  Job: { name: dns1123Subdomain, body: validateJob },
  CronJob: { name: dns1123Subdomain, body: validateCronJob },
  HorizontalPodAutoscaler: { name: pathSegmentName, body: validateAutoscaler },
  Lease: { name: dns1123Subdomain, body: validateLease },
  EndpointSlice: { name: dns1123Subdomain, body: validateEndpointSlice },
  Ingress: { name: dns1123Subdomain, body: validateIngress },
})

/** Every problem of the object; empty when it is valid. */
export function validate(obj: unknown): FieldCause[] {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
    return [invalid('', obj, 'must be a JSON object')]
  const o = obj as KubeObject
  if (!o.kind) return [required('kind')]
  const info = resourceByKind(o.kind)
  const rules = kinds[o.kind]
  if (!info || !rules)
    return [
      notSupported(
        'kind',
        o.kind,
        allResources().map((r) => r.kind),
      ),
    ]
  const out: FieldCause[] = []
  if (!o.apiVersion) out.push(required('apiVersion'))
  else if (o.apiVersion !== apiVersionOf(info))
    out.push(notSupported('apiVersion', o.apiVersion, [apiVersionOf(info)]))
  out.push(...validateObjectMeta(o.metadata, { namespaced: info.namespaced, nameRule: rules.name }))
  if (rules.body) out.push(...rules.body(o))
  return out
}
