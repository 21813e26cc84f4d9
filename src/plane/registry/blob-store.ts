// Content-addressed blobs on disk: <dir>/blobs/sha256/<hex>. An upload streams into
// <dir>/tmp/<random>.upload while it is hashed and checked as a component, is fsynced, then
// renamed into place (and the directory fsynced), so a blob file is always complete and its
// name is its sha256. Nothing is ever rewritten in place. Directories are 0700, files 0600.
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { fsyncDir, ShoalError } from '../../core/index.ts'
import { ComponentCheck } from './component-check.ts'
import { digestHex } from './digest.ts'

export interface WriteOptions {
  /** the digest the client claims; a mismatch is a BadRequest naming both */
  expect?: string
  maxBytes: number
  /** check the bytes are a component while they stream (default true; prepared images: false) */
  component?: boolean
}

export interface Written {
  digest: string
  size: number
  /** false when the blob was already stored (the upload was verified and dropped) */
  created: boolean
}

export class BlobStore {
  readonly #blobs: string
  readonly #tmp: string

  constructor(dir: string) {
    this.#blobs = join(dir, 'blobs', 'sha256')
    this.#tmp = join(dir, 'tmp')
  }

  async init(): Promise<void> {
    await mkdir(this.#blobs, { recursive: true, mode: 0o700 })
    await rm(this.#tmp, { recursive: true, force: true }) // uploads a crash interrupted
    await mkdir(this.#tmp, { recursive: true, mode: 0o700 })
  }

  path(digest: string): string {
    return join(this.#blobs, digestHex(digest))
  }

  async stat(digest: string): Promise<{ size: number; mtime: Date } | undefined> {
    const s = await stat(this.path(digest)).catch(() => undefined)
    return s?.isFile() ? { size: s.size, mtime: s.mtime } : undefined
  }

  async size(digest: string): Promise<number | undefined> {
    return (await this.stat(digest))?.size
  }

  async list(): Promise<string[]> {
    const names = await readdir(this.#blobs)
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`)
  }

  async remove(digest: string): Promise<void> {
    await rm(this.path(digest), { force: true })
    await fsyncDir(this.#blobs)
  }

  /** A stream of bytes start..end (inclusive) of a stored blob. */
  read(digest: string, start: number, end: number): ReadableStream<Uint8Array> {
    return Readable.toWeb(
      createReadStream(this.path(digest), { start, end }),
    ) as ReadableStream<Uint8Array>
  }

  async write(
    body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    opts: WriteOptions,
  ): Promise<Written> {
    if (opts.expect !== undefined) digestHex(opts.expect)
    const tmp = join(this.#tmp, `${randomBytes(8).toString('hex')}.upload`)
    const fh = await open(tmp, 'wx', 0o600)
    let closed = false
    try {
      const { digest, size } = await this.#fill(fh, body, opts)
      await fh.sync()
      await fh.close()
      closed = true
      const created = (await this.size(digest)) === undefined
      if (created) {
        await rename(tmp, this.path(digest))
        await fsyncDir(this.#blobs)
      }
      return { digest, size, created }
    } finally {
      if (!closed) await fh.close().catch(() => {})
      await rm(tmp, { force: true })
    }
  }

  async #fill(
    fh: FileHandle,
    body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    opts: WriteOptions,
  ): Promise<{ digest: string; size: number }> {
    const hash = createHash('sha256')
    const check = opts.component === false ? undefined : new ComponentCheck()
    let size = 0
    for await (const chunk of body) {
      size += chunk.length
      if (size > opts.maxBytes)
        throw new ShoalError('TooLarge', `registry: image is over the ${opts.maxBytes}-byte limit`)
      check?.push(chunk)
      hash.update(chunk)
      await fh.writeFile(chunk) // loops over short writes, from the current position
    }
    check?.end()
    const digest = `sha256:${hash.digest('hex')}`
    if (opts.expect !== undefined && digest !== opts.expect) {
      throw new ShoalError(
        'BadRequest',
        `registry: digest mismatch: expected ${opts.expect} but the ${size} bytes received hash to ${digest}`,
      )
    }
    return { digest, size }
  }
}
