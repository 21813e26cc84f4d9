// ImageLocality: a node that already holds the pod's images (by name or by component digest,
// from its heartbeats' status.images) scores higher: its pod starts without a pull.
import { MAX_SCORE, type ScorePlugin } from '../types.ts'

/** the digest of "name@sha256:…" or "sha256:…", else the reference itself */
export function imageKey(image: string): string {
  const at = image.lastIndexOf('@')
  return at >= 0 ? image.slice(at + 1) : image
}

export const imageLocality: ScorePlugin = {
  name: 'ImageLocality',
  weight: 1,
  score(pod, node) {
    if (!pod.images.length || !node.images.size) return 0
    let held = 0
    for (const image of pod.images) if (node.images.has(image)) held++
    return (held * MAX_SCORE) / pod.images.length
  },
}
