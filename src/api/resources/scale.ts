// The autoscaling/v1 Scale view of a Deployment (deployments/{name}/scale), as kubectl scale reads it.
import type { Deployment, Scale } from '../types/index.ts'
import { labelSelectorToString } from '../selectors/index.ts'

export function scaleOf(d: Deployment): Scale {
  const selector = d.spec?.selector ? labelSelectorToString(d.spec.selector) : undefined
  const { name, namespace, uid, resourceVersion, creationTimestamp } = d.metadata
  const metadata = Object.fromEntries(
    Object.entries({ name, namespace, uid, resourceVersion, creationTimestamp }).filter(
      ([, v]) => v !== undefined,
    ),
  )
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata,
    spec: { replicas: d.spec?.replicas ?? 0 },
    status: {
      replicas: d.status?.replicas ?? 0,
      ...(selector?.ok ? { selector: selector.value } : {}),
    },
  }
}
