// How the image verbs name an image: `name[:tag]` (tag latest when none), a digest
// `sha256:<64 hex>`, `name@sha256:…` (that digest), or — for inspect and rm, as docker takes an
// image ID — the first 6 or more hex digits of a digest as `shoal image ls` shows them.
import { parseImageRef } from '../../api/index.ts'
import { usageError } from '../errors.ts'

export type Ref =
  | { kind: 'tag'; name: string; tag: string }
  | { kind: 'digest'; digest: string }
  | { kind: 'prefix'; prefix: string; name?: { name: string; tag: string } }

/** `tagOnly`: a name:tag to push or build as (no digest) */
export function parseRef(text: string, o: { tagOnly?: boolean } = {}): Ref {
  const hex = /^(?:sha256:)?([a-f0-9]{6,63})$/.exec(text)
  const ref = parseImageRef(text)
  if (o.tagOnly) {
    if (ref?.scheme !== 'name' || ref.digest)
      throw usageError(`"${text}" is not a name:tag (like hello-wat:1.0 or team/app:v2)`)
    return { kind: 'tag', name: ref.name, tag: ref.tag ?? 'latest' }
  }
  if (hex) {
    const name = ref?.scheme === 'name' ? { name: ref.name, tag: ref.tag ?? 'latest' } : undefined
    return { kind: 'prefix', prefix: `sha256:${hex[1]}`, name }
  }
  if (ref?.scheme === 'digest') return { kind: 'digest', digest: ref.digest }
  if (ref?.scheme === 'name') {
    if (ref.digest) return { kind: 'digest', digest: ref.digest }
    return { kind: 'tag', name: ref.name, tag: ref.tag ?? 'latest' }
  }
  throw usageError(
    `"${text}" is not an image: want name:tag (hello-wat:1.0), sha256:<64 hex digits> or name@sha256:…`,
  )
}

export const shortDigest = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12)
