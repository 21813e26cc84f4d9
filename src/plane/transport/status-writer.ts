// Nodes' status reports, written side by side: a report does not wait for the reports before it
// (the store's group commit puts the writes of many in one fdatasync), except where they carry the
// same pod — a pod's statuses are written in the order they came, so an older one never lands
// over a newer one. Each report is acknowledged (status-ack) once its writes are durable; acks of
// one node may come in another order than its reports. A node with MAX_REPORTS reports being
// written has what more it sends dropped (logged): it sends again what is not acknowledged.
import { nodeTopic, type StatusReport } from '../../api/index.ts'
import type { Logger } from '../../core/index.ts'
import type { Bus } from './bus.ts'
import { encodeMessage } from './codec.ts'
import { writeStatusReport } from './pod-status.ts'
import type { Objects } from './ports.ts'

export const MAX_REPORTS = 256

export class StatusWriter {
  readonly #o: { objects: Objects; bus: Bus; log: Logger }
  /** pod uid → its latest write (the next one of the same pod waits for it) */
  readonly #pods = new Map<string, Promise<unknown>>()
  /** node → its reports being written */
  readonly #reports = new Map<string, number>()
  readonly #running = new Set<Promise<void>>()

  constructor(o: { objects: Objects; bus: Bus; log: Logger }) {
    this.#o = o
  }

  /** writes the report's statuses, then acknowledges it */
  write(node: string, report: StatusReport): void {
    const n = this.#reports.get(node) ?? 0
    if (n >= MAX_REPORTS) {
      this.#o.log.warn('node queue full: message dropped', { node, what: 'status report' })
      return
    }
    this.#reports.set(node, n + 1)
    const run = this.#write(node, report)
      .catch((err: Error) => this.#o.log.error('status report failed', { node, err: err.message }))
      .finally(() => {
        this.#running.delete(run)
        const left = this.#reports.get(node)! - 1
        if (left) this.#reports.set(node, left)
        else this.#reports.delete(node)
      })
    this.#running.add(run)
  }

  async #write(node: string, report: StatusReport): Promise<void> {
    const { objects, bus, log } = this.#o
    const outcomes = await writeStatusReport(objects, {
      ...{ node, report, log },
      inOrder: (uid, job) => this.#inOrder(uid, job),
    })
    await bus.publish(
      nodeTopic(node, 'status-ack'),
      encodeMessage({ type: 'status-ack', id: report.id }),
    )
    log.debug('status report written', { node, id: report.id, outcomes })
  }

  /** runs job after the pod's earlier writes (whatever they came to) */
  #inOrder<T>(uid: string, job: () => Promise<T>): Promise<T> {
    const before = this.#pods.get(uid)
    const mine = before ? before.then(job, job) : job()
    const tail = mine.catch(() => undefined)
    this.#pods.set(uid, tail)
    void tail.then(() => {
      if (this.#pods.get(uid) === tail) this.#pods.delete(uid)
    })
    return mine
  }

  /** resolves when every report received so far is written and acknowledged */
  async idle(): Promise<void> {
    while (this.#running.size) await Promise.all(this.#running)
  }
}
