// The registry's operations over a BlobStore (bytes) and a Catalog (tags, image metadata).
// Routes (routes.ts) and in-process callers use the same methods; every failure is a ShoalError.
import { mkdir } from 'node:fs/promises'
import { parseImageRef } from '../../api/index.ts'
import {
  createLogger,
  InvalidError,
  NotFoundError,
  ShoalError,
  systemClock,
  type Clock,
  type Logger,
} from '../../core/index.ts'
import { BlobStore } from './blob-store.ts'
import { Catalog, HISTORY_LIMIT } from './catalog.ts'
import { digestHex, isDigest } from './digest.ts'
import { PreparedStore } from './prepared-store.ts'
import type {
  BlobRecord,
  DeletedBlob,
  ImageMeta,
  ImageSummary,
  Manifest,
  PreparedRecord,
  PushResult,
  TagRecord,
  TagResult,
} from './types.ts'

export const DEFAULT_MAX_IMAGE_BYTES = 128 * 1024 * 1024

export interface RegistryCoreOptions {
  dir: string
  logger?: Logger
  /** uploads (and OCI imports) larger than this are refused with TooLarge; default 128 MiB */
  maxImageBytes?: number
  clock?: Clock
  /**
   * prepare each component for nodes as it is pushed (the plane does): a push answers once its
   * prepared image is stored, and a component the transpiler cannot take is refused. Off, a
   * component is prepared on the first GET /prepared/<digest>. Default false.
   */
  prepareAtPush?: boolean
}

const metaKeys = ['kind', 'world', 'version', 'description', 'source'] as const

/** Keeps the known string fields of an image's metadata (an image's .json has more). */
export function pickMeta(input: Record<string, unknown>): ImageMeta {
  const meta: ImageMeta = {}
  for (const k of metaKeys) if (typeof input[k] === 'string') meta[k] = input[k] as string
  return meta
}

export function checkName(name: string, tag: string): void {
  const ref = parseImageRef(`${name}:${tag}`)
  if (ref?.scheme !== 'name' || ref.name !== name || ref.tag !== tag) {
    throw new InvalidError(`registry: "${name}:${tag}" is not a valid image name and tag`, [
      {
        field: 'name',
        message:
          'lowercase path components like hello/wat, then a tag like 1.0 ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})',
      },
    ])
  }
}

export class RegistryCore {
  readonly dir: string
  readonly maxImageBytes: number
  protected readonly log: Logger
  readonly #blobs: BlobStore
  readonly #catalog: Catalog
  readonly #clock: Clock
  readonly #prepared: PreparedStore
  readonly #prepareAtPush: boolean
  #ready: Promise<void> | undefined

  constructor(o: RegistryCoreOptions) {
    this.dir = o.dir
    this.maxImageBytes = o.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES
    this.log = o.logger ?? createLogger('registry')
    this.#blobs = new BlobStore(o.dir)
    this.#catalog = new Catalog(o.dir)
    this.#clock = o.clock ?? systemClock
    this.#prepared = new PreparedStore(o.dir, this.log)
    this.#prepareAtPush = o.prepareAtPush === true
  }

  /** Creates the directories and reads the catalog; every operation awaits it. */
  ready(): Promise<void> {
    this.#ready ??= (async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 })
      await this.#blobs.init()
      await this.#prepared.init()
      await this.#catalog.load()
    })()
    return this.#ready
  }

  /** Stores an image; verifies the digest (when given) and that the bytes are a component. */
  async pushBlob(
    body: AsyncIterable<Uint8Array> | Uint8Array,
    opts: { digest?: string; meta?: ImageMeta } = {},
  ): Promise<PushResult> {
    await this.ready()
    const source = body instanceof Uint8Array ? [body] : body
    const written = await this.#blobs.write(source, {
      expect: opts.digest,
      maxBytes: this.maxImageBytes,
    })
    const prepared = this.#prepareAtPush ? await this.#prepareNew(written) : undefined
    await this.#catalog.change(() => {
      const old = this.#catalog.images[written.digest]
      this.#catalog.images[written.digest] = {
        ...old,
        size: written.size,
        pushedAt: old?.pushedAt ?? this.#now(),
        ...opts.meta,
      }
    })
    if (written.created)
      this.log.info('image pushed', { digest: written.digest, size: written.size })
    return prepared ? { ...written, prepared: prepared.digest } : written
  }

  /** prepares a pushed component; one the transpiler refuses is refused (and dropped if new) */
  async #prepareNew(written: PushResult): Promise<PreparedRecord> {
    try {
      return await this.#prepared.ensure(written.digest, this.#blobs.path(written.digest))
    } catch (cause) {
      if (written.created) await this.#blobs.remove(written.digest)
      throw new InvalidError(
        `registry: the image cannot be prepared for nodes: ${(cause as Error).message}`,
        [{ field: 'body', message: 'the transpiler refused this component' }],
        { cause },
      )
    }
  }

  /** The component's prepared image (made now if it was not at push): what a node pulls. */
  async prepared(component: string): Promise<PreparedRecord> {
    await this.statBlob(component)
    try {
      return await this.#prepared.ensure(component, this.#blobs.path(component))
    } catch (cause) {
      if (cause instanceof ShoalError && cause.code !== 'Invalid') throw cause
      throw new InvalidError(
        `registry: image ${component} cannot be prepared for nodes: ${(cause as Error).message}`,
        [],
        { cause },
      )
    }
  }

  /** Bytes start..end (inclusive; default all) of a prepared image, by its own digest. */
  async openPrepared(
    digest: string,
    range?: { start: number; end: number },
  ): Promise<{ size: number; stream: ReadableStream<Uint8Array> }> {
    const size = await this.#prepared.blobs.size(digest)
    if (size === undefined) throw new NotFoundError(`registry: prepared image ${digest} not found`)
    const { start, end } = range ?? { start: 0, end: size - 1 }
    return { size, stream: this.#prepared.blobs.read(digest, start, Math.max(start, end)) }
  }

  async preparedSize(digest: string): Promise<number> {
    digestHex(digest)
    await this.ready()
    const size = await this.#prepared.blobs.size(digest)
    if (size === undefined) throw new NotFoundError(`registry: prepared image ${digest} not found`)
    return size
  }

  /** Points name:tag at a stored digest; the tag's earlier digests are kept in its history. */
  async putTag(
    name: string,
    tag: string,
    input: { digest: string } & ImageMeta,
  ): Promise<TagResult> {
    checkName(name, tag)
    if (typeof input?.digest !== 'string' || !isDigest(input.digest))
      throw new InvalidError(
        'registry: the tag needs a "digest" of the form sha256:<64 hex digits>',
        [{ field: 'digest', message: 'required' }],
      )
    await this.ready()
    const { digest } = input
    return this.#catalog.change(async () => {
      const size = await this.#blobs.size(digest)
      if (size === undefined)
        throw new InvalidError(
          `registry: blob ${digest} is not stored; push it first (PUT /blobs/${digest})`,
          [{ field: 'digest', message: 'not stored' }],
        )
      const repo = (this.#catalog.tags[name] ??= {})
      const old = repo[tag]
      const at = this.#now()
      const moved = old !== undefined && old.digest !== digest
      const history = moved
        ? [{ digest: old.digest, at: old.updatedAt }, ...old.history].slice(0, HISTORY_LIMIT)
        : (old?.history ?? [])
      repo[tag] = { digest, updatedAt: moved || !old ? at : old.updatedAt, history }
      const image = this.#catalog.images[digest]
      this.#catalog.images[digest] = {
        ...image,
        size,
        pushedAt: image?.pushedAt ?? at,
        ...pickMeta(input as unknown as Record<string, unknown>),
      }
      if (moved || !old)
        this.log.info('tag set', { image: `${name}:${tag}`, digest, previous: old?.digest })
      return { name, tag, ...repo[tag], created: !old, ...(moved ? { previous: old.digest } : {}) }
    })
  }

  async getTag(name: string, tag: string): Promise<TagRecord> {
    await this.ready()
    const e = this.#catalog.tags[name]?.[tag]
    if (!e) throw new NotFoundError(`registry: tag ${name}:${tag} not found`)
    return { name, tag, ...e }
  }

  async deleteTag(name: string, tag: string): Promise<TagRecord> {
    await this.ready()
    return this.#catalog.change(() => {
      const e = this.#catalog.tags[name]?.[tag]
      if (!e) throw new NotFoundError(`registry: tag ${name}:${tag} not found`)
      this.#untag(name, tag)
      this.log.info('tag deleted', { image: `${name}:${tag}`, digest: e.digest })
      return { name, tag, ...e }
    })
  }

  async statBlob(digest: string): Promise<BlobRecord> {
    digestHex(digest)
    await this.ready()
    const file = await this.#blobs.stat(digest)
    if (file === undefined) throw new NotFoundError(`registry: blob ${digest} not found`)
    const image = this.#catalog.images[digest] // absent only after a crash between rename and catalog write
    return {
      digest,
      ...image,
      pushedAt: image?.pushedAt ?? file.mtime.toISOString(),
      size: file.size,
    }
  }

  /** name/tag, name/digest or a bare digest → the image's record. */
  async manifest(ref: string, name?: string): Promise<Manifest> {
    if (name === undefined && !isDigest(ref))
      throw new ShoalError(
        'BadRequest',
        `registry: want /manifests/<name>/<tag or digest> or /manifests/sha256:<hex>, got "${ref}"`,
      )
    const digest = isDigest(ref) ? ref : (await this.getTag(name!, ref)).digest
    const blob = await this.statBlob(digest)
    const tag = isDigest(ref) ? undefined : ref
    return {
      mediaType: 'application/wasm',
      ...(name ? { name } : {}),
      ...(tag ? { tag } : {}),
      ...blob,
      tags: this.#catalog.tagsOf(digest),
    }
  }

  async list(): Promise<ImageSummary[]> {
    await this.ready()
    const digests = await this.#blobs.list()
    const out = await Promise.all(
      digests.map(async (d) => ({ ...(await this.statBlob(d)), tags: this.#catalog.tagsOf(d) })),
    )
    return out.sort((a, b) =>
      a.pushedAt < b.pushedAt ? 1 : a.pushedAt > b.pushedAt ? -1 : a.digest.localeCompare(b.digest),
    )
  }

  /** Refuses (Conflict) while a tag points at the blob, unless force, which removes those tags too. */
  async deleteBlob(digest: string, opts: { force?: boolean } = {}): Promise<DeletedBlob> {
    await this.statBlob(digest)
    return this.#catalog.change(async () => {
      const tags = this.#catalog.tagsOf(digest)
      if (tags.length && !opts.force)
        throw new ShoalError(
          'Conflict',
          `registry: blob ${digest} is still tagged as ${tags.join(', ')}; delete those tags first or pass ?force=true`,
        )
      for (const t of tags)
        this.#untag(t.slice(0, t.lastIndexOf(':')), t.slice(t.lastIndexOf(':') + 1))
      delete this.#catalog.images[digest]
      await this.#blobs.remove(digest)
      await this.#prepared.remove(digest)
      this.log.info('blob deleted', { digest, untagged: tags })
      return { digest, untagged: tags }
    })
  }

  /** Bytes start..end (inclusive; default the whole blob) of a stored image. */
  async openBlob(
    digest: string,
    range?: { start: number; end: number },
  ): Promise<{ blob: BlobRecord; stream: ReadableStream<Uint8Array> }> {
    const blob = await this.statBlob(digest)
    const { start, end } = range ?? { start: 0, end: blob.size - 1 }
    return { blob, stream: this.#blobs.read(digest, start, Math.max(start, end)) }
  }

  #untag(name: string, tag: string): void {
    delete this.#catalog.tags[name][tag]
    if (Object.keys(this.#catalog.tags[name]).length === 0) delete this.#catalog.tags[name]
  }

  #now(): string {
    return new Date(this.#clock.now()).toISOString()
  }
}
