// The Secrets and ConfigMaps a node's pods read (env, and volumes as bytes), fetched from the plane's API with the
// node's token — the plane lets a node read exactly those its pods use — and cached on disk so
// the pods restart with the plane away: <dir>/secrets|configmaps/<ns>/<name>.json (0600, dirs
// 0700), the object's data as the API gave it. Online, the plane is asked first and the cache is
// the fallback; offline (no channel), the cache is read first. A cached object no desired pod
// names any more is deleted (prune).
import { mkdir, readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import {
  dns1123Label,
  dns1123Subdomain,
  podReferences,
  type DesiredPod,
  type Pod,
} from '../api/index.ts'
import {
  BadRequestError,
  ShoalError,
  UnavailableError,
  writeFileAtomic,
  type Logger,
} from '../core/index.ts'
import type { ConfigFiles } from './config-volumes.ts'
import type { ConfigKind, ConfigLookup } from './env.ts'

export interface ConfigSourceOptions {
  dir: string
  /** the plane's URL, e.g. https://plane:6443 */
  plane: string
  token: string
  fetch: typeof fetch
  online: () => boolean
  log: Logger
}

interface Cached {
  data?: Record<string, string>
  binaryData?: Record<string, string>
}

const folder = { Secret: 'secrets', ConfigMap: 'configmaps' } as const
const b64 = (v: string) => Buffer.from(v, 'base64').toString('utf8')

function decode(kind: ConfigKind, c: Cached): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(c.data ?? {})) out[k] = kind === 'Secret' ? b64(v) : v
  for (const [k, v] of Object.entries(c.binaryData ?? {})) out[k] = b64(v)
  return out
}

/** each key's bytes, binary values intact (a Secret's data and binaryData are base64) */
function decodeBytes(kind: ConfigKind, c: Cached): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {}
  for (const [k, v] of Object.entries(c.data ?? {}))
    out[k] = kind === 'Secret' ? Buffer.from(v, 'base64') : Buffer.from(v, 'utf8')
  for (const [k, v] of Object.entries(c.binaryData ?? {})) out[k] = Buffer.from(v, 'base64')
  return out
}

export class ConfigSource implements ConfigLookup, ConfigFiles {
  readonly #o: ConfigSourceOptions
  /** what the last prune kept, and whether a file was written since it began (a previous
   * process may have left files: true at first) */
  #kept: string | undefined
  #wrote = true
  /** the cache files each pod object held names (a desired-change keeps the pods it does not touch) */
  readonly #files = new WeakMap<DesiredPod, string[]>()

  constructor(o: ConfigSourceOptions) {
    this.#o = o
  }

  #file(kind: ConfigKind, ns: string, name: string): string {
    if (dns1123Label(ns).length || dns1123Subdomain(name).length)
      throw new BadRequestError(`agent: "${ns}/${name}" is no ${kind} name`)
    return join(this.#o.dir, folder[kind], ns, `${name}.json`)
  }

  async #cached(file: string): Promise<Cached | undefined> {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as Cached
    } catch {
      return undefined
    }
  }

  async get(
    kind: ConfigKind,
    ns: string,
    name: string,
  ): Promise<Record<string, string> | undefined> {
    const object = await this.#load(kind, ns, name)
    return object && decode(kind, object)
  }

  async bytes(
    kind: ConfigKind,
    ns: string,
    name: string,
  ): Promise<Record<string, Uint8Array> | undefined> {
    const object = await this.#load(kind, ns, name)
    return object && decodeBytes(kind, object)
  }

  async #load(kind: ConfigKind, ns: string, name: string): Promise<Cached | undefined> {
    const file = this.#file(kind, ns, name)
    const cached = this.#o.online() ? undefined : await this.#cached(file)
    if (cached) return cached
    try {
      return await this.#fetch(kind, ns, name, file)
    } catch (error) {
      if (error instanceof ShoalError && error.code !== 'Unavailable') throw error
      const fallback = await this.#cached(file)
      if (fallback) {
        this.#o.log.debug('the plane did not answer; using the cached copy', {
          object: `${kind} ${ns}/${name}`,
          error: (error as Error).message,
        })
        return fallback
      }
      throw new UnavailableError(
        `agent: cannot read ${kind} ${ns}/${name} from the plane (${(error as Error).message}) and no copy is cached`,
        { cause: error },
      )
    }
  }

  async #fetch(kind: ConfigKind, ns: string, name: string, file: string) {
    const path = `/api/v1/namespaces/${ns}/${folder[kind]}/${name}`
    const res = await this.#o.fetch(`${this.#o.plane.replace(/\/+$/, '')}${path}`, {
      headers: { authorization: `Bearer ${this.#o.token}`, accept: 'application/json' },
    })
    if (res.status === 404) {
      await res.body?.cancel()
      await rm(file, { force: true })
      return undefined
    }
    if (!res.ok) {
      const text = (await res.text().catch(() => '')).slice(0, 200)
      const code = res.status === 401 ? 'Unauthorized' : res.status === 403 ? 'Forbidden' : null
      const message = `agent: GET ${path} answered HTTP ${res.status} ${text}`
      throw code ? new ShoalError(code, message) : new UnavailableError(message)
    }
    const object = (await res.json()) as Cached
    const kept: Cached = { data: object.data ?? {}, binaryData: object.binaryData ?? {} }
    await mkdir(join(file, '..'), { recursive: true, mode: 0o700 })
    this.#wrote = true
    await writeFileAtomic(file, JSON.stringify(kept))
    return kept
  }

  /** deletes the cached objects none of these pods names */
  async prune(pods: DesiredPod[]): Promise<void> {
    const keep = new Set<string>()
    for (const pod of pods) {
      let files = this.#files.get(pod)
      if (!files) {
        const refs = podReferences({ spec: pod.spec } as Pod)
        files = [
          ...[...refs.secrets].map((n) => join('secrets', pod.namespace, `${n}.json`)),
          ...[...refs.configMaps].map((n) => join('configmaps', pod.namespace, `${n}.json`)),
        ]
        this.#files.set(pod, files)
      }
      for (const f of files) keep.add(f)
    }
    // the same references and no file written since the last prune: nothing to delete (a set of
    // pods without Secrets or ConfigMaps changing costs no directory reads)
    const kept = [...keep].sort().join('\n')
    if (kept === this.#kept && !this.#wrote) return
    this.#kept = kept
    this.#wrote = false
    for (const kind of Object.values(folder)) {
      for (const ns of await readdir(join(this.#o.dir, kind)).catch(() => [])) {
        for (const f of await readdir(join(this.#o.dir, kind, ns)).catch(() => [])) {
          if (!keep.has(join(kind, ns, f)))
            await rm(join(this.#o.dir, kind, ns, f), { force: true })
        }
      }
    }
  }
}
