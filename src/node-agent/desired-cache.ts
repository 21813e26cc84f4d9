// The node's desired state on disk (<dataDir>/desired.json, 0600): the last `desired` message the
// agent accepted, with its revision. A newer one (revision above the last) is saved before the
// agent answers `applied` and reconciles; an older or equal one is stale and refused. Loaded at
// start so a rebooted node runs its pods with no plane in sight. Saves run one at a time, in the
// order the messages came.
import { dns1123Label, type DesiredPod, type DesiredState } from '../api/index.ts'
import type { Logger } from '../core/index.ts'
import { readState, writeState } from './state-file.ts'

export class DesiredCache {
  readonly #path: string
  #state: DesiredState
  #chain: Promise<unknown> = Promise.resolve()

  private constructor(path: string, state: DesiredState) {
    this.#path = path
    this.#state = state
  }

  static async load(path: string, log: Logger): Promise<DesiredCache> {
    const saved = await readState<DesiredState>(path, log)
    const ok =
      saved?.type === 'desired' && Number.isSafeInteger(saved.revision) && Array.isArray(saved.pods)
    if (saved && !ok)
      log.error('the saved desired state is malformed; starting from none', { path })
    return new DesiredCache(path, ok ? saved : { type: 'desired', revision: 0, pods: [] })
  }

  /** the revision last applied (0: none) */
  get revision(): number {
    return this.#state.revision
  }

  get pods(): DesiredPod[] {
    return this.#state.pods
  }

  /**
   * Saves a newer desired state; resolves true once it is on disk, false when it is stale (its
   * revision is not above the last accepted). Rejects when the save fails (nothing changes).
   */
  accept(next: DesiredState): Promise<boolean> {
    const run = this.#chain.then(async () => {
      if (next.revision <= this.#state.revision) return false
      await writeState(this.#path, next)
      this.#state = next
      return true
    })
    this.#chain = run.catch(() => undefined)
    return run
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
