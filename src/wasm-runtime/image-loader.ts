// Adapter: reads an image from disk and proves it is the component the spec names.
import { stat } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { basename } from 'node:path'
import { InvalidError, readBigFile } from '../core/index.ts'
import { checkComponent, checkDigest, checkDigestFormat } from './image-check.ts'

export function sha256Of(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

/** The verified bytes of a component image, or InvalidError "runtime: …" saying what is wrong. */
export async function loadImage(path: string, digest: string): Promise<Uint8Array> {
  checkDigestFormat(digest)
  let bytes: Uint8Array
  try {
    bytes = await readBigFile(path)
  } catch (error) {
    throw new InvalidError(`runtime: cannot read image ${path}: ${(error as Error).message}`, [], {
      cause: error,
    })
  }
  checkDigest(sha256Of(bytes), digest, basename(path))
  checkComponent(bytes, basename(path))
  return bytes
}

/** Identity of the file's current contents for memoizing (size + mtime), or undefined if unreadable. */
export async function imageStamp(path: string): Promise<string | undefined> {
  try {
    const s = await stat(path)
    return `${s.size}:${s.mtimeMs}:${s.ino}`
  } catch {
    return undefined
  }
}
