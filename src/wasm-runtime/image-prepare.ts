// Image → modules ready to instantiate: read and verify (digest, component preamble), transpile
// once per digest and jco version (disk cache), instrument and compile once per process. An
// unchanged file (same size, mtime, inode) already verified under this digest is not re-hashed.
import { imageStamp, loadImage } from './image-loader.ts'
import { preparedModules, type PreparedModules } from './module-cache.ts'
import { transpileCached } from './transpile-cache.ts'
import type { InstanceSpec } from './types.ts'

const verified = new Map<string, Promise<PreparedModules>>()

async function prepareFresh(spec: InstanceSpec, cacheDir: string): Promise<PreparedModules> {
  const bytes = await loadImage(spec.image.path, spec.image.digest)
  const transpiled = await transpileCached(bytes, spec.image.digest, cacheDir)
  return preparedModules(transpiled, spec.limits?.memoryBytes)
}

export async function prepareImage(spec: InstanceSpec, cacheDir: string): Promise<PreparedModules> {
  const stamp = await imageStamp(spec.image.path)
  if (!stamp) return prepareFresh(spec, cacheDir)
  const key = [
    spec.image.path,
    stamp,
    spec.image.digest,
    spec.limits?.memoryBytes ?? '',
    cacheDir,
  ].join('|')
  let entry = verified.get(key)
  if (!entry) {
    entry = prepareFresh(spec, cacheDir)
    verified.set(key, entry)
    entry.catch(() => verified.delete(key))
  }
  return entry
}
