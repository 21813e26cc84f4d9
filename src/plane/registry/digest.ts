// Content addresses: "sha256:<64 lowercase hex>". The only digest algorithm the registry speaks.
import { ShoalError } from '../../core/index.ts'

const digestRe = /^sha256:[a-f0-9]{64}$/

export function isDigest(s: string): boolean {
  return digestRe.test(s)
}

/** The hex part of a digest; a BadRequest naming the value when it is not one. */
export function digestHex(digest: string): string {
  if (!isDigest(digest))
    throw new ShoalError(
      'BadRequest',
      `registry: "${digest}" is not a digest (want sha256:<64 lowercase hex digits>)`,
    )
  return digest.slice('sha256:'.length)
}
