// Prepared images: what the runtime's transpiler makes of a stored component (wasm-runtime's
// prepareComponent: glue + core modules + exports in one CBOR file), made once — at push, or on
// the first ask for a component stored before — and kept as a content-addressed blob of its own:
//   <dir>/prepared/blobs/sha256/<hex>          the prepared file, named by its own sha256
//   <dir>/prepared/links/<component hex>.json  {"component","digest","size","transpiler","exports"}
// A link made by another transpiler version than this plane's is made again (and the blob it
// named deleted). The link is written (atomically) only after its blob is in place, so a link
// always names a whole blob.
import { readFile, mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic, type Logger } from '../../core/index.ts'
import { decodePrepared, prepareComponent, transpilerVersion } from '../../wasm-runtime/index.ts'
import { BlobStore } from './blob-store.ts'
import { digestHex } from './digest.ts'
import type { PreparedRecord } from './types.ts'

export class PreparedStore {
  readonly blobs: BlobStore
  readonly #links: string
  readonly #log: Logger
  readonly #making = new Map<string, Promise<PreparedRecord>>()
  #transpiler: string | undefined

  constructor(dir: string, log: Logger) {
    this.blobs = new BlobStore(join(dir, 'prepared'))
    this.#links = join(dir, 'prepared', 'links')
    this.#log = log
  }

  async init(): Promise<void> {
    await this.blobs.init()
    await mkdir(this.#links, { recursive: true, mode: 0o700 })
  }

  #link(component: string): string {
    return join(this.#links, `${digestHex(component)}.json`)
  }

  /** the record of a component's prepared image when it is stored and current */
  async find(component: string): Promise<PreparedRecord | undefined> {
    const text = await readFile(this.#link(component), 'utf8').catch(() => undefined)
    if (text === undefined) return undefined
    let rec: PreparedRecord
    try {
      rec = JSON.parse(text) as PreparedRecord
    } catch {
      return undefined // a damaged link: made again
    }
    this.#transpiler ??= transpilerVersion()
    if (rec.transpiler !== this.#transpiler) return undefined
    return (await this.blobs.size(rec.digest)) === rec.size ? rec : undefined
  }

  /** the component's prepared image, made from `componentPath` unless stored (one at a time) */
  ensure(component: string, componentPath: string): Promise<PreparedRecord> {
    let running = this.#making.get(component)
    if (!running) {
      running = this.#ensure(component, componentPath).finally(() => this.#making.delete(component))
      this.#making.set(component, running)
    }
    return running
  }

  async #ensure(component: string, componentPath: string): Promise<PreparedRecord> {
    const found = await this.find(component)
    if (found) return found
    const stale = await this.#linked(component) // made by another transpiler version
    const started = Date.now()
    const bytes = await prepareComponent(new Uint8Array(await readFile(componentPath)), component)
    const image = decodePrepared(bytes, component)
    const written = await this.blobs.write([bytes], {
      maxBytes: Number.MAX_SAFE_INTEGER,
      component: false,
    })
    const rec: PreparedRecord = {
      component,
      digest: written.digest,
      size: written.size,
      transpiler: image.transpiler,
      exports: image.exports,
    }
    await writeFileAtomic(this.#link(component), JSON.stringify(rec) + '\n')
    if (stale && stale !== rec.digest) await this.blobs.remove(stale)
    this.#log.info('image prepared', { ...rec, exports: undefined, ms: Date.now() - started })
    return rec
  }

  /** the prepared digest a component's link names, whatever made it */
  async #linked(component: string): Promise<string | undefined> {
    const text = await readFile(this.#link(component), 'utf8').catch(() => '{}')
    try {
      const digest = (JSON.parse(text) as { digest?: unknown }).digest
      return typeof digest === 'string' && /^sha256:[a-f0-9]{64}$/.test(digest) ? digest : undefined
    } catch {
      return undefined
    }
  }

  async remove(component: string): Promise<void> {
    const digest = await this.#linked(component)
    await rm(this.#link(component), { force: true })
    if (digest) await this.blobs.remove(digest)
  }
}
