// A node's desired state: its pods as it needs them, each container image resolved to a digest
// (a "sha256:<hex>" image already is one; an image that cannot be resolved carries the reason,
// and the node reports the pod failing to pull it), numbered by the store revision it reflects.
import type { DesiredPod, DesiredState, Pod } from '../../api/index.ts'
import type { PodEntry } from './pod-index.ts'
import type { ResolveImage } from './ports.ts'

const DIGEST = /^sha256:[a-f0-9]{64}$/
/** Kubernetes' default grace period for a pod being deleted */
const DEFAULT_GRACE_SECONDS = 30

export async function desiredState(
  set: { pods: PodEntry[]; revision: number },
  resolve: ResolveImage,
): Promise<DesiredState> {
  const pods = await Promise.all(set.pods.map((e) => desiredPod(e.pod, resolve)))
  return { type: 'desired', revision: set.revision, pods }
}

export async function desiredPod(pod: Pod, resolve: ResolveImage): Promise<DesiredPod> {
  const m = pod.metadata
  const images: DesiredPod['images'] = {}
  for (const c of pod.spec.containers ?? []) images[c.name] = await resolveImage(c.image, resolve)
  const out: DesiredPod = {
    uid: m.uid ?? '',
    namespace: m.namespace ?? '',
    name: m.name ?? '',
    resourceVersion: m.resourceVersion ?? '',
    spec: pod.spec,
    images,
  }
  if (m.deletionTimestamp) {
    out.deletionTimestamp = m.deletionTimestamp
    out.gracePeriodSeconds =
      m.deletionGracePeriodSeconds ??
      pod.spec.terminationGracePeriodSeconds ??
      DEFAULT_GRACE_SECONDS
  }
  return out
}

async function resolveImage(
  image: string,
  resolve: ResolveImage,
): Promise<{ digest: string } | { error: string }> {
  if (DIGEST.test(image)) return { digest: image }
  try {
    return await resolve(image)
  } catch (err) {
    return { error: `image "${image}" could not be resolved: ${(err as Error).message}` }
  }
}
