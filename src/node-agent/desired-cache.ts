// The node's desired state on disk (<dataDir>/desired.json, 0600): the last `desired` message the
// agent accepted, with its revision. A newer one (revision above the last) is taken at once — the
// agent reconciles it while it is written — and `applied` is answered once it is on disk; an
// older or equal one is stale and refused. Loaded at start so a rebooted node runs its pods with
// no plane in sight. Saves go in batches (save-batch.ts): a state taken waits `delayMs` for the
// states that follow it, and one write saves the latest (states superseded before their turn are
// never written); `applied` of each waits for that write. A crash before the save loses nothing:
// the node's hello then names the older revision and the plane sends it again.
import { dns1123Label, type DesiredPod, type DesiredState } from '../api/index.ts'
import type { Clock, Logger } from '../core/index.ts'
import { refClock, SaveBatch } from './save-batch.ts'
import { readState, writeState } from './state-file.ts'

export interface DesiredSaveOptions {
  /** default refClock (its timers keep the process alive) */
  clock?: Clock
  /** a state taken waits this long for more before the write (default 0: the next turn) */
  delayMs?: number
  /** writes the file (default writeState) */
  write?: (path: string, state: DesiredState) => Promise<void>
}

export class DesiredCache {
  readonly #path: string
  #state: DesiredState
  /** the revision on disk */
  #saved: number
  readonly #batch: SaveBatch

  private constructor(path: string, state: DesiredState, o: DesiredSaveOptions) {
    this.#path = path
    this.#state = state
    this.#saved = state.revision
    const write = o.write ?? writeState
    this.#batch = new SaveBatch(
      async () => {
        const state = this.#state
        if (this.#saved >= state.revision) return // on disk already
        await write(this.#path, state)
        this.#saved = Math.max(this.#saved, state.revision)
      },
      { clock: o.clock ?? refClock, delayMs: o.delayMs ?? 0 },
    )
  }

  static async load(path: string, log: Logger, o: DesiredSaveOptions = {}): Promise<DesiredCache> {
    const saved = await readState<DesiredState>(path, log)
    const ok =
      saved?.type === 'desired' && Number.isSafeInteger(saved.revision) && Array.isArray(saved.pods)
    if (saved && !ok)
      log.error('the saved desired state is malformed; starting from none', { path })
    return new DesiredCache(path, ok ? saved : { type: 'desired', revision: 0, pods: [] }, o)
  }

  /** the revision last taken (0: none) */
  get revision(): number {
    return this.#state.revision
  }

  get pods(): DesiredPod[] {
    return this.#state.pods
  }

  /** the whole state last taken */
  get state(): DesiredState {
    return this.#state
  }

  /** the revision on disk */
  get savedRevision(): number {
    return this.#saved
  }

  /** saves started so far (one per batch of states taken) */
  get writes(): number {
    return this.#batch.writes
  }

  /**
   * Takes a newer desired state at once (`pods` and `revision` are its own from now on) and
   * returns its save: resolves once it, or a later state, is on disk; rejects when the write
   * fails (the state stays taken, unsaved). Undefined when it is stale: its revision is not
   * above the last taken.
   */
  take(next: DesiredState): Promise<void> | undefined {
    if (next.revision <= this.#state.revision) return undefined
    this.#state = next
    return this.#batch.request()
  }

  /** writes a state waiting for its batch now; resolves once every state taken is on disk or failed */
  flush(): Promise<void> {
    return this.#batch.flush()
  }
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)

/**
 * Why a desired pod cannot be run as it is, or undefined. parseToNode checks the message's
 * outline; this checks what the agent reads of a pod's spec, so a damaged entry is refused with
 * a log line instead of failing somewhere inside a reconcile.
 */
export function podProblem(p: DesiredPod): string | undefined {
  if (!/^[A-Za-z0-9-]{1,128}$/.test(p.uid)) return `uid "${p.uid}" is no uid`
  if (dns1123Label(p.namespace).length) return `namespace "${p.namespace}" is no namespace name`
  const containers: unknown = p.spec.containers
  if (!Array.isArray(containers) || containers.length === 0) return 'spec.containers is empty'
  const names = new Set<string>()
  for (const [i, c] of containers.entries()) {
    if (!isObj(c) || typeof c.name !== 'string' || dns1123Label(c.name).length)
      return `spec.containers[${i}].name is missing or invalid`
    if (typeof c.image !== 'string') return `spec.containers[${i}].image is missing`
    if (names.has(c.name)) return `spec.containers[${i}].name "${c.name}" is used twice`
    names.add(c.name)
    for (const list of ['env', 'envFrom', 'volumeMounts', 'command', 'args'])
      if (c[list] !== undefined && !Array.isArray(c[list]))
        return `spec.containers[${i}].${list} is not a list`
  }
  if (p.spec.volumes !== undefined && !Array.isArray(p.spec.volumes))
    return 'spec.volumes is not a list'
  return undefined
}
