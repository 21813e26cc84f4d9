// One queue per node: a node's messages are handled one after another, in the order they came
// (hello, heartbeat, its loss; status reports have lanes of their own, status-writer.ts), while
// nodes proceed in parallel.
// A queue holds at most MAX_QUEUED jobs: past that a node is sending faster than the store
// writes, and what it sends is dropped (and logged) — the node resends what is not acknowledged.
import type { Logger } from '../../core/index.ts'

export const MAX_QUEUED = 256

interface Queue {
  tail: Promise<void>
  length: number
}

export class NodeQueues {
  readonly #queues = new Map<string, Queue>()
  readonly #log: Logger

  constructor(log: Logger) {
    this.#log = log
  }

  /** runs `job` after the node's earlier jobs; `what` names it in the log if it fails */
  run(node: string, what: string, job: () => Promise<void>): void {
    let q = this.#queues.get(node)
    if (!q) this.#queues.set(node, (q = { tail: Promise.resolve(), length: 0 }))
    if (q.length >= MAX_QUEUED) {
      this.#log.warn('node queue full: message dropped', { node, what })
      return
    }
    const queue = q
    queue.length++
    queue.tail = queue.tail
      .then(job)
      .catch((err: Error) => this.#log.error(`${what} failed`, { node, err: err.message }))
      .finally(() => {
        if (--queue.length === 0 && this.#queues.get(node) === queue) this.#queues.delete(node)
      })
  }

  /** resolves when every queue is empty */
  async idle(): Promise<void> {
    while (this.#queues.size) await Promise.all([...this.#queues.values()].map((q) => q.tail))
  }
}
