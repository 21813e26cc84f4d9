// sessionAffinity: ClientIP — a client address sticks to the endpoint it was last sent to until
// it has been idle for the Service's timeout (Kubernetes' default 10800 s).

interface Sticky {
  uid: string
  until: number
}

/** past this many clients, expired entries are swept before a new one is added */
const SWEEP_AT = 10_000

export class Affinity {
  timeoutMs = 10_800_000
  #clients = new Map<string, Sticky>()

  /** the pod uid this client sticks to, if any and not expired */
  get(client: string, now: number): string | undefined {
    const s = this.#clients.get(client)
    if (!s) return undefined
    if (s.until <= now) {
      this.#clients.delete(client)
      return undefined
    }
    return s.uid
  }

  set(client: string, uid: string, now: number): void {
    if (this.#clients.size >= SWEEP_AT) this.#sweep(now)
    const s = this.#clients.get(client)
    if (s) {
      s.uid = uid
      s.until = now + this.timeoutMs
    } else this.#clients.set(client, { uid, until: now + this.timeoutMs })
  }

  #sweep(now: number): void {
    for (const [client, s] of this.#clients) if (s.until <= now) this.#clients.delete(client)
  }
}
