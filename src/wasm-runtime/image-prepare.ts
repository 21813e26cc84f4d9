// Image → modules ready to instantiate: read and verify, then instrument and compile once per
// process. A prepared image (spec.image.prepared: the registry's, see prepared-image.ts) is
// verified by its own sha256 and the component digest it names, and unpacked — nothing is
// transpiled. A bare component (the local path) is verified (digest, component preamble) and
// transpiled once per digest and jco version (disk cache), unless the runtime may not transpile.
// An unchanged file (same size, mtime, inode) already verified under this digest is not re-hashed.
import { basename } from 'node:path'
import { InvalidError, readBigFile } from '../core/index.ts'
import { checkDigest, checkDigestFormat } from './image-check.ts'
import { imageStamp, loadImage, sha256Of } from './image-loader.ts'
import { preparedModules, type PreparedModules } from './module-cache.ts'
import { decodePrepared } from './prepared-image.ts'
import { transpileCached, unpackPrepared, type Transpiled } from './transpile-cache.ts'
import type { InstanceSpec } from './types.ts'

export interface PrepareOptions {
  cacheDir: string
  /** false: a bare component is refused (see RuntimeOptions.transpile) */
  transpile: boolean
}

const verified = new Map<string, Promise<PreparedModules>>()

async function unpacked(spec: InstanceSpec, prepared: string, cacheDir: string) {
  const { path, digest } = spec.image
  checkDigestFormat(prepared)
  let bytes: Uint8Array
  try {
    bytes = await readBigFile(path)
  } catch (error) {
    throw new InvalidError(
      `runtime: cannot read prepared image ${path}: ${(error as Error).message}`,
      [],
      { cause: error },
    )
  }
  checkDigest(sha256Of(bytes), prepared, basename(path))
  const image = decodePrepared(bytes, basename(path))
  if (image.component !== digest)
    throw new InvalidError(
      `runtime: prepared image ${basename(path)} was made from ${image.component}, but the spec wants ${digest}`,
    )
  return unpackPrepared(image, prepared, cacheDir)
}

async function prepareFresh(spec: InstanceSpec, o: PrepareOptions): Promise<PreparedModules> {
  const { prepared, path, digest } = spec.image
  let transpiled: Transpiled
  if (prepared !== undefined) transpiled = await unpacked(spec, prepared, o.cacheDir)
  else if (!o.transpile)
    throw new InvalidError(
      `runtime: image ${digest} came without its prepared form, and this runtime does not transpile (the plane's registry prepares images at push)`,
    )
  else transpiled = await transpileCached(await loadImage(path, digest), digest, o.cacheDir)
  return preparedModules(transpiled, spec.limits?.memoryBytes)
}

export async function prepareImage(
  spec: InstanceSpec,
  o: PrepareOptions,
): Promise<PreparedModules> {
  const stamp = await imageStamp(spec.image.path)
  if (!stamp) return prepareFresh(spec, o)
  const key = [
    spec.image.path,
    stamp,
    spec.image.digest,
    spec.image.prepared ?? '',
    spec.limits?.memoryBytes ?? '',
    o.cacheDir,
    o.transpile,
  ].join('|')
  let entry = verified.get(key)
  if (!entry) {
    entry = prepareFresh(spec, o)
    verified.set(key, entry)
    entry.catch(() => verified.delete(key))
  }
  return entry
}
