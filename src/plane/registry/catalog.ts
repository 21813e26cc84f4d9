// What the registry knows about its blobs besides their bytes, in two small JSON files under
// dir, each replaced atomically (core's writeFileAtomic) after every change:
//   tags.json   {"version":1,"tags":{"<name>":{"<tag>":{"digest","updatedAt","history":[{"digest","at"}]}}}}
//   images.json {"version":1,"images":{"sha256:<hex>":{"size","pushedAt","kind"?,"world"?,…}}}
// Changes run one at a time (a promise chain), so read-check-write sequences do not interleave.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CorruptError, writeFileAtomic } from '../../core/index.ts'
import type { BlobRecord, TagMove } from './types.ts'

export interface TagEntry {
  digest: string
  updatedAt: string
  history: TagMove[]
}

export type Tags = Record<string, Record<string, TagEntry>>
export type Images = Record<string, Omit<BlobRecord, 'digest'>>

export const HISTORY_LIMIT = 50

export class Catalog {
  tags: Tags = {}
  images: Images = {}
  readonly #dir: string
  #queue: Promise<unknown> = Promise.resolve()

  constructor(dir: string) {
    this.#dir = dir
  }

  async load(): Promise<void> {
    this.tags = (await this.#read('tags.json'))?.tags ?? {}
    this.images = (await this.#read('images.json'))?.images ?? {}
  }

  /** Runs fn alone, then persists both files; fn changes this.tags / this.images in place. */
  change<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = this.#queue.then(async () => {
      const result = await fn()
      await writeFileAtomic(
        join(this.#dir, 'tags.json'),
        JSON.stringify({ version: 1, tags: this.tags }, null, 1) + '\n',
      )
      await writeFileAtomic(
        join(this.#dir, 'images.json'),
        JSON.stringify({ version: 1, images: this.images }, null, 1) + '\n',
      )
      return result
    })
    this.#queue = run.catch(() => {})
    return run
  }

  /** Every "name:tag" pointing at digest. */
  tagsOf(digest: string): string[] {
    const out: string[] = []
    for (const [name, tags] of Object.entries(this.tags)) {
      for (const [tag, e] of Object.entries(tags))
        if (e.digest === digest) out.push(`${name}:${tag}`)
    }
    return out.sort()
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, checked by the caller
  async #read(file: string): Promise<any> {
    const path = join(this.#dir, file)
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
    try {
      const v = JSON.parse(text)
      if (v && typeof v === 'object' && v.version === 1) return v
    } catch (cause) {
      throw new CorruptError(
        `registry: ${path} is not valid JSON`,
        { file: path, offset: 0 },
        { cause },
      )
    }
    throw new CorruptError(`registry: ${path} is not a version 1 registry file`, {
      file: path,
      offset: 0,
    })
  }
}
