// Pure checks of an image's bytes before anything runs them: the digest names these exact bytes,
// and the bytes are a WebAssembly component (not a core module, not garbage).
import { InvalidError } from '../core/index.ts'
import { isComponent, isCoreModule } from './instrument/index.ts'

const digestPattern = /^sha256:[0-9a-f]{64}$/

export function checkDigestFormat(digest: string): void {
  if (!digestPattern.test(digest)) {
    throw new InvalidError(`runtime: image digest "${digest}" is not sha256:<64 hex digits>`)
  }
}

export function checkDigest(actual: string, expected: string, file: string): void {
  if (actual !== expected) {
    throw new InvalidError(`runtime: ${file} has digest ${actual}, but the spec wants ${expected}`)
  }
}

export function checkComponent(bytes: Uint8Array, file: string): void {
  if (isComponent(bytes)) return
  const what = isCoreModule(bytes)
    ? 'a core module (preamble 01 00 00 00)'
    : bytes.length < 8
      ? `only ${bytes.length} bytes long`
      : `its first bytes are ${hex(bytes.subarray(0, 8))}`
  throw new InvalidError(
    `runtime: ${file} is not a WebAssembly component (want preamble 00 61 73 6d 0d 00 01 00; it is ${what})`,
  )
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ')
}
