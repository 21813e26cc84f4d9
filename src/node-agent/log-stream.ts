// `req` logs → `res` responses: the lines of a pod's container (by namespace/name, the container
// named or the pod's only one) from the runtime — tailLines, sinceSeconds, follow, timestamps
// (RFC 3339, as the kubelet writes them) — or the previous instance's last lines (previous),
// sent in chunks of at most maxLines lines or maxBytes bytes (a follow also flushes after
// flushMs without a new line), the last chunk with done. `cancel` ends a follow. A request that
// cannot be served gets one response with an error naming why (kubectl's wording).
import type { CancelRequest, LogRequest, Response } from '../api/index.ts'
import type { Clock, Logger, Timer } from '../core/index.ts'
import type { Runtime } from '../wasm-runtime/index.ts'
import type { Reconciler } from './reconciler.ts'

export interface LogStreamOptions {
  runtime: Runtime
  pods: Pick<Reconciler, 'find'>
  send(response: Response): boolean
  clock: Clock
  log: Logger
  maxLines?: number
  maxBytes?: number
  flushMs?: number
}

type Target = { id: string; previous?: string[] } | { error: NonNullable<Response['error']> }

const LINE = /^(\S+) (?:stdout|stderr) (.*)$/s

export class LogStreams {
  readonly #o: LogStreamOptions
  readonly #active = new Map<string, AbortController>()

  constructor(o: LogStreamOptions) {
    this.#o = o
  }

  handle(req: LogRequest | CancelRequest): void {
    if (req.type === 'cancel') return this.#active.get(req.id)?.abort()
    if (this.#active.has(req.id)) return
    void this.#serve(req)
  }

  /** the link dropped: nobody reads the follows any more */
  cancelAll(): void {
    for (const ac of this.#active.values()) ac.abort()
  }

  #target(req: LogRequest): Target {
    const found = this.#o.pods.find(req.namespace, req.pod)
    if (!found) return { error: { code: 'NotFound', message: `pods "${req.pod}" not found` } }
    const names = found.pod.spec.containers.map((c) => c.name)
    const name = req.container ?? (names.length === 1 ? names[0] : undefined)
    const bad = (message: string): Target => ({ error: { code: 'BadRequest', message } })
    if (!name)
      return bad(
        `a container name must be specified for pod ${req.pod}, choose one of: [${names.join(' ')}]`,
      )
    const cr = found.containers.find((c) => c.name === name)
    if (!names.includes(name) || !cr)
      return bad(`container ${name} is not valid for pod ${req.pod}`)
    if (req.previous) {
      if (cr.previousLogs) return { id: cr.id, previous: cr.previousLogs }
      return bad(`previous terminated container "${name}" in pod "${req.pod}" not found`)
    }
    if (!this.#o.runtime.status(cr.id))
      return bad(
        `container "${name}" in pod "${req.pod}" is waiting to start: ${cr.waiting?.reason ?? 'ContainerCreating'}`,
      )
    return { id: cr.id }
  }

  async #serve(req: LogRequest): Promise<void> {
    const target = this.#target(req)
    if ('error' in target) {
      this.#o.send({ type: 'response', id: req.id, error: target.error, done: true })
      return
    }
    const ac = new AbortController()
    this.#active.set(req.id, ac)
    const chunks = new Chunker(req.id, this.#o)
    let failed: Response['error']
    try {
      const since =
        req.sinceSeconds === undefined ? 0 : this.#o.clock.now() - req.sinceSeconds * 1000
      for await (const line of this.#lines(req, target, ac.signal)) {
        const m = LINE.exec(line)
        if (m && since && Date.parse(m[1]) < since) continue
        chunks.push(`${m ? (req.timestamps ? `${m[1]} ${m[2]}` : m[2]) : line}\n`)
      }
    } catch (error) {
      const message = `logs: the log of ${req.pod} ended early: ${(error as Error).message}`
      failed = { code: 'Unavailable', message }
      this.#o.log.warn('a log stream failed', { id: req.id, error: (error as Error).message })
    } finally {
      chunks.end(failed)
      this.#active.delete(req.id)
    }
  }

  async *#lines(req: LogRequest, t: { id: string; previous?: string[] }, signal: AbortSignal) {
    if (t.previous) {
      const from = req.tailLines === undefined ? 0 : t.previous.length - req.tailLines
      yield* t.previous.slice(Math.max(0, from))
      return
    }
    const opts = { tailLines: req.tailLines, follow: req.follow === true, timestamps: true }
    const it = this.#o.runtime.logs(t.id, opts)[Symbol.asyncIterator]()
    const aborted = new Promise<'aborted'>((resolve) =>
      signal.addEventListener('abort', () => resolve('aborted'), { once: true }),
    )
    for (;;) {
      const next = await Promise.race([it.next(), aborted])
      if (next === 'aborted') {
        it.return?.().catch(() => undefined)
        return
      }
      if (next.done) return
      yield next.value
    }
  }
}

/** lines → `response` chunks of bounded size; a pending chunk goes out after flushMs */
class Chunker {
  readonly #id: string
  readonly #o: LogStreamOptions
  #lines: string[] = []
  #bytes = 0
  #timer: Timer | undefined

  constructor(id: string, o: LogStreamOptions) {
    this.#id = id
    this.#o = o
  }

  push(line: string): void {
    this.#lines.push(line)
    this.#bytes += line.length
    if (
      this.#lines.length >= (this.#o.maxLines ?? 64) ||
      this.#bytes >= (this.#o.maxBytes ?? 32 * 1024)
    )
      this.#flush(false)
    else this.#timer ??= this.#o.clock.setTimeout(() => this.#flush(false), this.#o.flushMs ?? 50)
  }

  #flush(done: boolean, error?: Response['error']): void {
    this.#timer?.cancel()
    this.#timer = undefined
    if (!this.#lines.length && !done) return
    const last = done ? { done, ...(error ? { error } : {}) } : {}
    this.#o.send({ type: 'response', id: this.#id, lines: this.#lines, ...last })
    this.#lines = []
    this.#bytes = 0
  }

  /** the last chunk (done), with the error that ended the stream early, if one did */
  end(error?: Response['error']): void {
    this.#flush(true, error)
  }
}
