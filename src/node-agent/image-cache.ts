// Component images on the node, by digest: <dir>/sha256/<hex>.wasm (a pull writes
// <hex>.wasm.partial first and renames it once its sha256 checks). Each file is hashed again the
// first time this process uses it (a damaged one is deleted and pulled anew) and its exports
// tell its workload kind. A missing image is pulled in the background, one pull per digest; a
// failed pull is retried with back-off when a pod still wants it (onChange says when to look).
import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Clock, Logger } from '../core/index.ts'
import type { WorkloadKind } from '../wasm-runtime/index.ts'
import { Backoff, type BackoffOptions } from './backoff.ts'
import { componentKind } from './component-kind.ts'

export type ImageState =
  | { state: 'ready'; path: string; kind: WorkloadKind | undefined }
  | { state: 'pulling' }
  | { state: 'failed'; message: string; failures: number }

export interface ImageCacheOptions {
  dir: string
  /** fetches the blob into dest, verified (pullBlob) */
  pull(digest: string, dest: string): Promise<void>
  backoff: BackoffOptions
  clock: Clock
  log: Logger
  /** a pull ended, or its back-off did: pods waiting for the digest should look again */
  onChange(digest: string): void
}

interface Ready {
  path: string
  kind: WorkloadKind | undefined
}

interface Failure {
  message: string
  retryAt: number
  backoff: Backoff
}

const digestRe = /^sha256:([a-f0-9]{64})$/

export class ImageCache {
  readonly #o: ImageCacheOptions
  readonly #ready = new Map<string, Ready>()
  readonly #verifying = new Map<string, Promise<Ready | undefined>>()
  readonly #pulls = new Set<string>()
  readonly #failed = new Map<string, Failure>()
  #held = new Set<string>()

  constructor(o: ImageCacheOptions) {
    this.#o = o
  }

  /** reads which images the node holds (for heartbeats) */
  async load(): Promise<void> {
    const files = await readdir(join(this.#o.dir, 'sha256')).catch(() => [])
    this.#held = new Set(
      files.filter((f) => /^[a-f0-9]{64}\.wasm$/.test(f)).map((f) => `sha256:${f.slice(0, 64)}`),
    )
  }

  /** digests of the images on disk */
  digests(): string[] {
    return [...this.#held].sort()
  }

  path(digest: string): string {
    return join(this.#o.dir, 'sha256', `${digest.slice(7)}.wasm`)
  }

  async get(digest: string): Promise<ImageState> {
    if (!digestRe.test(digest))
      return { state: 'failed', message: `"${digest}" is no sha256 digest`, failures: 1 }
    const ready = this.#ready.get(digest) ?? (await this.#verifyOnce(digest))
    if (ready) return { state: 'ready', ...ready }
    if (this.#pulls.has(digest)) return { state: 'pulling' }
    const failed = this.#failed.get(digest)
    if (failed && failed.retryAt > this.#o.clock.now())
      return { state: 'failed', message: failed.message, failures: failed.backoff.failures }
    this.#pull(digest)
    return { state: 'pulling' }
  }

  /** one hashing of a file at a time, however many pods ask for it */
  #verifyOnce(digest: string): Promise<Ready | undefined> {
    let running = this.#verifying.get(digest)
    if (!running) {
      running = this.#verify(digest).finally(() => this.#verifying.delete(digest))
      this.#verifying.set(digest, running)
    }
    return running
  }

  /** the file, hashed: its kind when it is the digest's, else undefined (and a bad one deleted) */
  async #verify(digest: string): Promise<Ready | undefined> {
    if (this.#pulls.has(digest)) return undefined
    const path = this.path(digest)
    const bytes = await readFile(path).catch(() => undefined)
    if (!bytes) return undefined
    const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
    if (actual !== digest) {
      this.#o.log.warn('a cached image does not match its digest; deleted, to be pulled again', {
        digest,
        actual,
      })
      await rm(path, { force: true })
      this.#held.delete(digest)
      return undefined
    }
    const entry = { path, kind: componentKind(bytes) }
    this.#ready.set(digest, entry)
    this.#held.add(digest)
    return entry
  }

  #pull(digest: string): void {
    this.#pulls.add(digest)
    const done = () => {
      this.#pulls.delete(digest)
      this.#o.onChange(digest)
    }
    void mkdir(join(this.#o.dir, 'sha256'), { recursive: true, mode: 0o700 })
      .then(() => this.#o.pull(digest, this.path(digest)))
      .then(
        () => {
          this.#failed.delete(digest)
          this.#held.add(digest)
          this.#o.log.info('pulled an image', { digest })
        },
        (error: Error) => this.#failure(digest, error),
      )
      .finally(done)
  }

  #failure(digest: string, error: Error): void {
    const failure = this.#failed.get(digest) ?? {
      message: '',
      retryAt: 0,
      backoff: new Backoff(this.#o.backoff),
    }
    const delay = failure.backoff.next()
    failure.message = error.message
    failure.retryAt = this.#o.clock.now() + delay
    this.#failed.set(digest, failure)
    this.#o.log.warn('pulling an image failed; retrying with back-off', {
      digest,
      retryInMs: delay,
      error: error.message,
    })
    this.#o.clock.setTimeout(() => this.#o.onChange(digest), delay)
  }

  /** the link is back: images that failed may be pulled at once */
  retryNow(): void {
    for (const failure of this.#failed.values()) failure.retryAt = 0
  }
}
