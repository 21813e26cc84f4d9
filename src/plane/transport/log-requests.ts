// Log requests to nodes over request/response (MQTT 3.1.1 has no response topics, so the id
// travels in the message): `logs` on the node's "req" leaf, `response` chunks back on "res" with
// that id, the last with `done`. A node not connected fails at once; a node that does not answer
// within LOG_ANSWER_MS fails with Unavailable; a reader that leaves has the request cancelled.
import { randomUUID } from 'node:crypto'
import { nodeTopic, type LogRequest, type Response as NodeResponse } from '../../api/index.ts'
import {
  ShoalError,
  UnavailableError,
  type Clock,
  type Logger,
  type Timer,
} from '../../core/index.ts'
import type { Bus } from './bus.ts'
import { encodeMessage } from './codec.ts'
import { LogStream, type LogLines } from './log-stream.ts'

export type LogOptions = Omit<LogRequest, 'type' | 'id'>

/** how long a node has to answer a log request (its first chunk) */
export const LOG_ANSWER_MS = 10_000

interface Pending {
  node: string
  stream: LogStream
  timer?: Timer
  /** the node answered (a first chunk came) */
  answered?: boolean
}

export class LogRequests {
  readonly #pending = new Map<string, Pending>()
  readonly #bus: Bus
  readonly #clock: Clock
  readonly #log: Logger
  readonly #isOnline: (node: string) => boolean
  readonly #answerMs: number

  constructor(o: {
    bus: Bus
    clock: Clock
    log: Logger
    isOnline(node: string): boolean
    answerMs?: number
  }) {
    this.#bus = o.bus
    this.#clock = o.clock
    this.#log = o.log
    this.#isOnline = o.isOnline
    this.#answerMs = o.answerMs ?? LOG_ANSWER_MS
  }

  /** the lines of a container's log on `node`; the first next() fails if the node cannot answer */
  open(node: string, opts: LogOptions): LogLines {
    const id = randomUUID()
    const stream: LogStream = new LogStream(
      () => this.#send({ node, stream }, id, opts),
      (cancel) => this.#stop(id, cancel),
    )
    return stream
  }

  async #send(p: Pending, id: string, opts: LogOptions): Promise<void> {
    const { node } = p
    if (!this.#isOnline(node))
      throw new UnavailableError(`transport: node ${node} is not connected`)
    this.#pending.set(id, p)
    const request: LogRequest = { ...opts, type: 'logs', id }
    await this.#bus.publish(nodeTopic(node, 'req'), encodeMessage(request))
    if (this.#pending.get(id) !== p || p.answered) return // answered or left meanwhile
    p.timer = this.#clock.setTimeout(() => {
      const s = `${Math.round(this.#answerMs / 1000)} s`
      p.stream.end(new UnavailableError(`transport: node ${node} did not answer within ${s}`))
    }, this.#answerMs)
  }

  #stop(id: string, cancel: boolean): void {
    const p = this.#pending.get(id)
    if (!p) return
    this.#pending.delete(id)
    p.timer?.cancel()
    if (!cancel) return
    this.#bus
      .publish(nodeTopic(p.node, 'req'), encodeMessage({ type: 'cancel', id }))
      .catch((err: Error) => this.#log.debug('cancel not sent', { node: p.node, err: err.message }))
  }

  /** a `response` from `node`; one for an id this node was not asked is dropped */
  onResponse(node: string, res: NodeResponse): void {
    const p = this.#pending.get(res.id)
    if (!p || p.node !== node) {
      this.#log.debug('response for no request of this node', { node, id: res.id })
      return
    }
    p.answered = true
    p.timer?.cancel()
    p.timer = undefined
    p.stream.answered()
    if (res.lines?.length) p.stream.push(res.lines)
    if (res.error)
      p.stream.end(new ShoalError(res.error.code, `node ${node}: ${res.error.message}`))
    else if (res.done) p.stream.end()
  }

  /** the node's connection is gone: its requests fail */
  nodeLost(node: string): void {
    for (const p of this.#pending.values())
      if (p.node === node)
        p.stream.end(new UnavailableError(`transport: the connection to node ${node} was lost`))
  }

  close(): void {
    for (const p of this.#pending.values())
      p.stream.end(new UnavailableError('transport: the plane is stopping'))
  }
}
