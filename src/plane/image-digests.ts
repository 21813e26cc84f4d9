// A container image → the digest a node pulls, through the registry's tags: "sha256:<hex>" is
// one already, "name:tag" (tag "latest" when none) and "oci://host/repo:tag" (imported into
// the registry as repo:tag) are looked up; a reference pinned with @sha256 is that digest.
import { parseImageRef } from '../api/index.ts'
import { isShoalError } from '../core/index.ts'
import type { ResolveImage } from './transport/index.ts'

export interface TagSource {
  getTag(name: string, tag: string): Promise<{ digest: string }>
}

export function imageDigests(tags: TagSource): ResolveImage {
  return async (image) => {
    const ref = parseImageRef(image)
    if (!ref) return { error: `"${image}" is not an image reference` }
    if (ref.digest) return { digest: ref.digest }
    if (ref.scheme === 'digest') return { digest: ref.digest }
    const name = ref.scheme === 'oci' ? ref.repository : ref.name
    const tag = ref.tag ?? 'latest'
    try {
      return { digest: (await tags.getTag(name, tag)).digest }
    } catch (err) {
      if (!isShoalError(err, 'NotFound')) throw err
      const hint = ref.scheme === 'oci' ? 'import it into the plane first' : 'push and tag it first'
      return { error: `image ${name}:${tag} is not in the plane's registry (${hint})` }
    }
  }
}
