// Image garbage collection under disk pressure, the kubelet's way: when the data dir's filesystem
// has less than a fraction free (the DiskPressure threshold), or the images held take more than a
// budget, images no desired pod uses are deleted, least recently used first, until neither holds
// or none is left to delete. The choice is pure (victims); image-cache.ts deletes the files and
// disk-free.ts reads the filesystem.

export interface DiskSpace {
  freeBytes: number
  totalBytes: number
}

/** the filesystem holding `path`: free and total bytes (statfs, or a fake in tests) */
export type DiskFree = (path: string) => Promise<DiskSpace>

export interface GcPolicy {
  /** under this fraction of the filesystem free, unused images go (default 0.1, as DiskPressure) */
  minFreeFraction: number
  /** …and when the images held take more than this many bytes (default: no budget) */
  maxImageBytes?: number
}

export interface HeldImage {
  /** the component's digest */
  digest: string
  /** bytes on disk: the prepared file, its link, the runtime's unpacked copy */
  bytes: number
  /** ms since the epoch it was last used to start a container (else when it was pulled) */
  lastUsed: number
}

const size = (n: number) =>
  n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`

/** why the node is short of disk for images, as a sentence; undefined when it is not */
export function diskProblem(
  space: DiskSpace,
  imageBytes: number,
  policy: GcPolicy,
): string | undefined {
  const fraction = space.totalBytes > 0 ? space.freeBytes / space.totalBytes : 1
  if (fraction < policy.minFreeFraction)
    return `${(fraction * 100).toFixed(1)} % of the filesystem free, under ${policy.minFreeFraction * 100} %`
  if (policy.maxImageBytes !== undefined && imageBytes > policy.maxImageBytes)
    return `images take ${size(imageBytes)}, over the budget of ${size(policy.maxImageBytes)}`
  return undefined
}

/**
 * The images to delete, in order: not in `keep`, least recently used first, only as many as it
 * takes for diskProblem to clear (each deletion frees its bytes) — or all unused ones if it never does.
 */
export function victims(
  held: HeldImage[],
  keep: ReadonlySet<string>,
  space: DiskSpace,
  policy: GcPolicy,
): HeldImage[] {
  let imageBytes = held.reduce((sum, h) => sum + h.bytes, 0)
  let free = space.freeBytes
  const out: HeldImage[] = []
  const unused = held.filter((h) => !keep.has(h.digest)).sort((a, b) => a.lastUsed - b.lastUsed)
  for (const h of unused) {
    if (!diskProblem({ ...space, freeBytes: free }, imageBytes, policy)) break
    out.push(h)
    imageBytes -= h.bytes
    free += h.bytes
  }
  return out
}
