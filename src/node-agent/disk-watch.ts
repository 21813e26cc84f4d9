// The node's disk, watched for images (adapter over statfs and the clock): every period the
// image cache collects what no desired pod uses when the disk is short (image-gc.ts), and the
// outcome — why the node is still short of disk, or nothing — is what DiskPressure reports.
import { statfs } from 'node:fs/promises'
import type { DesiredPod } from '../api/index.ts'
import type { Clock, Logger, Timer } from '../core/index.ts'
import type { DiskFree } from './image-gc.ts'

/** statfs: the bytes an unprivileged user may still write, and the filesystem's size */
export const statfsFree: DiskFree = async (path) => {
  const s = await statfs(path)
  return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize }
}

/** the component digests the pods' containers name */
export function imagesOf(pods: DesiredPod[]): Set<string> {
  const out = new Set<string>()
  for (const p of pods)
    for (const image of Object.values(p.images ?? {})) if ('digest' in image) out.add(image.digest)
  return out
}

interface Collector {
  collect(keep: ReadonlySet<string>): Promise<string | undefined>
}

export class DiskWatch {
  readonly #images: Collector
  readonly #wanted: () => ReadonlySet<string>
  readonly #o: { clock: Clock; periodMs: number; log: Logger }
  #timer: Timer | undefined
  #problem: string | undefined
  #running: Promise<void> = Promise.resolve()
  #closed = false

  constructor(
    images: Collector,
    wanted: () => ReadonlySet<string>,
    o: { clock: Clock; periodMs: number; log: Logger },
  ) {
    this.#images = images
    this.#wanted = wanted
    this.#o = o
    this.#next(0)
  }

  /** why the node is short of disk after the last collection, or undefined */
  get problem(): string | undefined {
    return this.#problem
  }

  /** collects now (and resolves once done) */
  check(): Promise<void> {
    this.#running = this.#running.then(async () => {
      try {
        this.#problem = await this.#images.collect(this.#wanted())
      } catch (error) {
        this.#o.log.warn('image garbage collection failed', { error: (error as Error).message })
      }
    })
    return this.#running
  }

  #next(ms: number): void {
    this.#timer = this.#o.clock.setTimeout(() => {
      void this.check().then(() => {
        if (!this.#closed) this.#next(this.#o.periodMs)
      })
    }, ms)
  }

  close(): Promise<void> {
    this.#closed = true
    this.#timer?.cancel()
    return this.#running
  }
}
