// A pod's quality-of-service class, as Kubernetes computes it (qos.GetPodQOS): Guaranteed when
// every container sets cpu and memory limits and its requests equal them, BestEffort when no
// container requests or limits anything, Burstable otherwise.
import type { PodQOSClass, PodSpec } from '../types/index.ts'
import { parseQuantity } from '../formats/index.ts'

const tracked = ['cpu', 'memory']

export function podQosClass(spec: PodSpec): PodQOSClass {
  const containers = Array.isArray(spec?.containers) ? spec.containers : []
  let any = false
  let guaranteed = containers.length > 0
  for (const c of containers) {
    const limits = c?.resources?.limits ?? {}
    const requests = { ...limits, ...(c?.resources?.requests ?? {}) }
    for (const name of tracked) {
      const limit = limits[name] === undefined ? undefined : parseQuantity(limits[name])
      const request = requests[name] === undefined ? undefined : parseQuantity(requests[name])
      if ((limit ?? 0) > 0 || (request ?? 0) > 0) any = true
      if (limit === undefined || limit === 0 || request !== limit) guaranteed = false
    }
  }
  if (!any) return 'BestEffort'
  return guaranteed ? 'Guaranteed' : 'Burstable'
}
