// A pod as the plugins read it: its requests summed over its containers, the owner that
// controls it, the labels its owner's pods are spread across, its images.
import { parseCpu, parseMemory, type Pod } from '../../api/index.ts'
import type { PodView, Requests } from './types.ts'
import { imageKey } from './plugins/image-locality.ts'
import { ZONE_LABEL } from './plugins/owner-spread.ts'

const HOSTNAME = 'kubernetes.io/hostname'
const DEFAULT_SPREAD = [ZONE_LABEL]

export function podRequests(pod: Pod): Requests {
  let cpu = 0
  let memory = 0
  for (const c of pod.spec?.containers ?? []) {
    const r = c.resources?.requests
    if (!r) continue
    if (r.cpu !== undefined) cpu += parseCpu(r.cpu) ?? 0
    if (r.memory !== undefined) memory += parseMemory(r.memory) ?? 0
  }
  return { cpu, memory }
}

export function ownerOf(pod: Pod): string | undefined {
  return pod.metadata.ownerReferences?.find((o) => o.controller)?.uid
}

function spreadKeys(pod: Pod): string[] {
  const c = pod.spec?.topologySpreadConstraints
  if (!c?.length) return DEFAULT_SPREAD
  return [...new Set(c.map((t) => t.topologyKey).filter((k) => k && k !== HOSTNAME))]
}

export function podView(key: string, pod: Pod): PodView {
  return {
    key,
    pod,
    requests: podRequests(pod),
    owner: ownerOf(pod),
    spreadKeys: spreadKeys(pod),
    images: (pod.spec?.containers ?? []).map((c) => imageKey(c.image)),
  }
}
