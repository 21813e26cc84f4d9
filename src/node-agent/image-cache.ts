// Images on the node as the plane's registry prepared them (so the node never transpiles):
//   <dir>/prepared/<hex>               a prepared image, named by its own sha256 (<hex>.partial
//                                      while a pull runs, resumed from there)
//   <dir>/sha256/<component hex>.json  {"prepared":"sha256:…"}: the component's prepared image;
//                                      written once the pull is verified; its mtime = last used
// A missing image is looked up (component digest → prepared digest) and pulled in the
// background, one pull per digest, verified by its sha256 and by the component it names; a
// failed pull is retried with back-off while a pod still wants it (onChange says when to look).
// Each file is verified again the first time this process uses it: a damaged one is refused,
// deleted and pulled anew. Under disk pressure collect() deletes the images no desired pod uses,
// least recently used first (image-gc.ts), with the runtime's unpacked copies of them.
import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, rm, stat, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import { readBigFile, writeFileAtomic, type Clock, type Logger } from '../core/index.ts'
import { decodePrepared, kindOfExports, type WorkloadKind } from '../wasm-runtime/index.ts'
import { Backoff, type BackoffOptions } from './backoff.ts'
import { diskProblem, victims, type DiskFree, type GcPolicy, type HeldImage } from './image-gc.ts'

export type ImageState =
  | { state: 'ready'; path: string; prepared: string; kind: WorkloadKind | undefined }
  | { state: 'pulling' }
  | { state: 'failed'; message: string; failures: number }

export interface ImageCacheOptions {
  dir: string
  /** the registry's prepared image of a component (GET /images/prepared/<component digest>) */
  lookup(component: string): Promise<{ digest: string }>
  /** fetches a prepared image by its own digest into dest, verified (pullBlob) */
  pull(digest: string, dest: string): Promise<void>
  backoff: BackoffOptions
  clock: Clock
  log: Logger
  /** a pull ended, or its back-off did: pods waiting for the digest should look again */
  onChange(digest: string): void
  /** the runtime's cache dir: its unpacked copies of an image (<component hex>-…) go with it */
  runtimeCache?: string
  /** garbage collection under disk pressure (collect()); without it collect() does nothing */
  gc?: GcPolicy & { diskFree: DiskFree }
}

interface Ready {
  path: string
  prepared: string
  kind: WorkloadKind | undefined
}

interface Failure {
  message: string
  retryAt: number
  backoff: Backoff
}

const digestRe = /^sha256:([a-f0-9]{64})$/
/** an image's file time (its last use, for garbage collection after a restart) is set at most this often */
const USED_TOUCH_MS = 1000
const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`

export class ImageCache {
  readonly #o: ImageCacheOptions
  readonly #ready = new Map<string, Ready>()
  readonly #verifying = new Map<string, Promise<Ready | undefined>>()
  readonly #pulls = new Set<string>()
  readonly #failed = new Map<string, Failure>()
  readonly #lastUsed = new Map<string, number>()
  /** when each image's file time was last set */
  readonly #touched = new Map<string, number>()
  #held = new Set<string>()

  constructor(o: ImageCacheOptions) {
    this.#o = o
  }

  /** reads which images the node holds (for heartbeats); drops bare components of old agents */
  async load(): Promise<void> {
    await this.#dirs()
    const files = await readdir(join(this.#o.dir, 'sha256')).catch(() => [] as string[])
    this.#held = new Set(
      files.filter((f) => /^[a-f0-9]{64}\.json$/.test(f)).map((f) => `sha256:${f.slice(0, 64)}`),
    )
    for (const f of files.filter((f) => /\.wasm(\.partial)?$/.test(f)))
      await rm(join(this.#o.dir, 'sha256', f), { force: true })
    await this.#dropUnlinked()
  }

  /** prepared files no link names (a pull cut between its file and its link) */
  async #dropUnlinked(): Promise<void> {
    const linked = new Set<string>()
    for (const d of this.#held) {
      const text = await readFile(this.#link(d), 'utf8').catch(() => '{}')
      try {
        linked.add(String((JSON.parse(text) as { prepared?: string }).prepared).slice(7))
      } catch {
        // a damaged link: verified (and dropped) on first use
      }
    }
    const dir = join(this.#o.dir, 'prepared')
    for (const f of await readdir(dir))
      if (/^[a-f0-9]{64}$/.test(f) && !linked.has(f)) await rm(join(dir, f), { force: true })
  }

  /** digests of the components whose images are on disk */
  digests(): string[] {
    return [...this.#held].sort()
  }

  #link(digest: string): string {
    return join(this.#o.dir, 'sha256', `${digest.slice(7)}.json`)
  }

  #preparedPath(prepared: string): string {
    return join(this.#o.dir, 'prepared', prepared.slice(7))
  }

  async get(digest: string): Promise<ImageState> {
    if (!digestRe.test(digest))
      return { state: 'failed', message: `"${digest}" is no sha256 digest`, failures: 1 }
    const ready = this.#ready.get(digest) ?? (await this.#verifyOnce(digest))
    if (ready) {
      this.#used(digest)
      return { state: 'ready', ...ready }
    }
    if (this.#pulls.has(digest)) return { state: 'pulling' }
    const failed = this.#failed.get(digest)
    if (failed && failed.retryAt > this.#o.clock.now())
      return { state: 'failed', message: failed.message, failures: failed.backoff.failures }
    this.#pull(digest)
    return { state: 'pulling' }
  }

  #used(digest: string): void {
    const now = this.#o.clock.now()
    const before = this.#touched.get(digest)
    this.#lastUsed.set(digest, now)
    // the file's time orders garbage collection after a restart: a second's precision is
    // enough, and a burst of starts of one image touches it once
    if (before === undefined || now - before >= USED_TOUCH_MS) {
      this.#touched.set(digest, now)
      void utimes(this.#link(digest), now / 1000, now / 1000).catch(() => {})
    }
  }

  /** one verification of an image at a time, however many pods ask for it */
  #verifyOnce(digest: string): Promise<Ready | undefined> {
    let running = this.#verifying.get(digest)
    if (!running) {
      running = this.#verify(digest).finally(() => this.#verifying.delete(digest))
      this.#verifying.set(digest, running)
    }
    return running
  }

  /** the image on disk, verified; a damaged one is deleted (to be pulled again) */
  async #verify(digest: string): Promise<Ready | undefined> {
    if (this.#pulls.has(digest)) return undefined
    const text = await readFile(this.#link(digest), 'utf8').catch(() => undefined)
    if (text === undefined) return undefined
    let prepared: string | undefined
    try {
      prepared = (JSON.parse(text) as { prepared?: string }).prepared
      if (typeof prepared !== 'string' || !digestRe.test(prepared))
        throw new Error(`the link names no prepared digest`)
      return this.#keep(digest, await this.#check(digest, prepared))
    } catch (error) {
      this.#o.log.warn('a cached image failed verification; deleted, to be pulled again', {
        digest,
        error: (error as Error).message,
      })
      await this.#remove(digest, prepared)
      return undefined
    }
  }

  /** reads and checks a prepared file: its sha256, and the component it was made from */
  async #check(digest: string, prepared: string): Promise<Ready> {
    const path = this.#preparedPath(prepared)
    const bytes = await readBigFile(path)
    const actual = sha256(bytes)
    if (actual !== prepared)
      throw new Error(`prepared image ${prepared} hashes to ${actual}: it is damaged`)
    const image = decodePrepared(bytes, prepared)
    if (image.component !== digest)
      throw new Error(`prepared image ${prepared} was made from ${image.component}, not ${digest}`)
    return { path, prepared, kind: kindOfExports(image.exports) }
  }

  #keep(digest: string, entry: Ready): Ready {
    this.#ready.set(digest, entry)
    this.#held.add(digest)
    return entry
  }

  async #dirs(): Promise<void> {
    for (const sub of ['sha256', 'prepared'])
      await mkdir(join(this.#o.dir, sub), { recursive: true, mode: 0o700 })
  }

  async #fetch(digest: string): Promise<void> {
    await this.#dirs()
    const { digest: prepared } = await this.#o.lookup(digest)
    if (typeof prepared !== 'string' || !digestRe.test(prepared))
      throw new Error(`the registry named no prepared image for ${digest}`)
    await this.#o.pull(prepared, this.#preparedPath(prepared))
    let entry: Ready
    try {
      entry = await this.#check(digest, prepared)
    } catch (error) {
      await rm(this.#preparedPath(prepared), { force: true })
      throw error
    }
    await writeFileAtomic(this.#link(digest), JSON.stringify({ prepared }) + '\n')
    this.#keep(digest, entry)
  }

  #pull(digest: string): void {
    this.#pulls.add(digest)
    void this.#fetch(digest)
      .then(
        () => {
          this.#failed.delete(digest)
          this.#o.log.info('pulled an image', { digest })
        },
        (error: Error) => this.#failure(digest, error),
      )
      .finally(() => {
        this.#pulls.delete(digest)
        this.#o.onChange(digest)
      })
  }

  #failure(digest: string, error: Error): void {
    this.#ready.delete(digest)
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
    // the image is due when its timer fires, whatever the clock reads then: Node's timers may
    // fire a millisecond before Date.now() reaches retryAt, and a get() that still found the
    // image waiting would leave its pods waiting with no timer left to wake them
    this.#o.clock.setTimeout(() => {
      if (this.#failed.get(digest) === failure)
        failure.retryAt = Math.min(failure.retryAt, this.#o.clock.now())
      this.#o.onChange(digest)
    }, delay)
  }

  /** the link is back: images that failed may be pulled at once */
  retryNow(): void {
    for (const failure of this.#failed.values()) failure.retryAt = 0
  }

  /** the files of an image: its link, its prepared file, the runtime's unpacked copies */
  async #files(digest: string, prepared?: string): Promise<string[]> {
    const files = [this.#link(digest)]
    if (prepared) files.push(this.#preparedPath(prepared))
    const cache = this.#o.runtimeCache
    if (cache)
      for (const d of await readdir(cache).catch(() => [] as string[]))
        if (d.startsWith(`${digest.slice(7)}-`)) files.push(join(cache, d))
    return files
  }

  async #remove(digest: string, prepared?: string): Promise<void> {
    for (const f of await this.#files(digest, prepared))
      await rm(f, { recursive: true, force: true })
    this.#ready.delete(digest)
    this.#held.delete(digest)
    this.#lastUsed.delete(digest)
    this.#touched.delete(digest)
  }

  async #heldImage(digest: string): Promise<HeldImage & { prepared?: string }> {
    const link = await readFile(this.#link(digest), 'utf8').catch(() => '{}')
    const prepared =
      this.#ready.get(digest)?.prepared ?? (JSON.parse(link) as { prepared?: string }).prepared
    let bytes = 0
    for (const f of await this.#files(digest, prepared)) bytes += await sizeOf(f)
    const mtime = (await stat(this.#link(digest)).catch(() => undefined))?.mtimeMs ?? 0
    return { digest, prepared, bytes, lastUsed: this.#lastUsed.get(digest) ?? mtime }
  }

  /**
   * Under disk pressure, deletes images not in `keep` (the desired pods' components), least
   * recently used first, until the pressure is gone. Resolves with why the node is still short
   * of disk (for DiskPressure), or undefined.
   */
  async collect(keep: ReadonlySet<string>): Promise<string | undefined> {
    const gc = this.#o.gc
    if (!gc) return undefined
    // the common case, cheaply: disk enough and no budget to count against
    if (gc.maxImageBytes === undefined && !diskProblem(await gc.diskFree(this.#o.dir), 0, gc))
      return undefined
    const held = await Promise.all(
      [...this.#held].filter((d) => !this.#pulls.has(d)).map((d) => this.#heldImage(d)),
    )
    const space = await gc.diskFree(this.#o.dir)
    for (const v of victims(held, keep, space, gc) as (HeldImage & { prepared?: string })[]) {
      await this.#remove(v.digest, v.prepared)
      this.#o.log.info('deleted an unused image under disk pressure', {
        digest: v.digest,
        bytes: v.bytes,
      })
    }
    const left = held.filter((h) => this.#held.has(h.digest)).reduce((s, h) => s + h.bytes, 0)
    return diskProblem(await gc.diskFree(this.#o.dir), left, gc)
  }
}

/** bytes of a file, or of everything under a directory */
async function sizeOf(path: string): Promise<number> {
  const s = await stat(path).catch(() => undefined)
  if (!s) return 0
  if (!s.isDirectory()) return s.size
  let total = 0
  for (const name of await readdir(path)) total += await sizeOf(join(path, name))
  return total
}
