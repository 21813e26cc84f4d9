// Keeps <dataDir>/node.pem current: at start a missing or unreadable one is requested, then the
// certificate is renewed when 2/3 of its life has passed (renewalDue), each time with a new key
// and over the node's authenticated request. A failed request is retried with back-off (30 s
// doubling to 10 min); the old certificate stays in use until a new one is saved. Once saved, it
// is handed to `renewed` (the agent's mesh takes it for its node-to-node TLS without a restart).
import {
  BadRequestError,
  ShoalError,
  UnavailableError,
  type Clock,
  type Logger,
  type Timer,
} from '../core/index.ts'
import {
  checkIssued,
  makeNodeRequest,
  readNodeCertificate,
  renewalDue,
  saveNodeCertificate,
} from './node-certificate.ts'
import type { Credentials } from './types.ts'

/** the longest a timer may wait (setTimeout's limit is 2^31 - 1 ms): longer waits look again */
const MAX_WAIT_MS = 2 ** 31 - 1
const RETRY = { initialMs: 30_000, maxMs: 600_000 }

export interface CertRenewerOptions {
  /** <dataDir>/node.pem */
  path: string
  node: string
  caCert: string
  /** the node's IPs, named in its certificate */
  ips: readonly string[]
  /** sends the request (PEM) to the plane and answers the certificate (PEM) */
  sign(csrPem: string): Promise<string>
  clock: Clock
  log: Logger
  retry?: { initialMs: number; maxMs: number }
  /** called with each certificate saved (PEM) and its key; an error thrown is logged */
  renewed?(certPem: string, keyPem: string): void
}

export class CertRenewer {
  readonly #o: CertRenewerOptions
  #timer: Timer | undefined
  #failures = 0
  #stopped = false
  #running: Promise<void> = Promise.resolve()

  constructor(o: CertRenewerOptions) {
    this.#o = o
  }

  /** looks at node.pem and schedules the next renewal (at once when there is none) */
  start(): void {
    this.#running = this.#check()
  }

  /** the renewal under way, if any, has ended (tests) */
  settled(): Promise<void> {
    return this.#running
  }

  stop(): void {
    this.#stopped = true
    this.#timer?.cancel()
  }

  async #check(): Promise<void> {
    const current = await readNodeCertificate(this.#o.path)
    const due = current ? renewalDue(current.cert) : this.#o.clock.now()
    this.#at(due)
  }

  #at(due: number): void {
    if (this.#stopped) return
    const wait = due - this.#o.clock.now()
    if (wait > MAX_WAIT_MS) {
      this.#timer = this.#o.clock.setTimeout(() => this.#at(due), MAX_WAIT_MS)
      return
    }
    this.#timer = this.#o.clock.setTimeout(
      () => {
        this.#running = this.#renew()
      },
      Math.max(0, wait),
    )
  }

  async #renew(): Promise<void> {
    const { node, log } = this.#o
    try {
      const req = await makeNodeRequest(node, this.#o.ips)
      const certPem = await this.#o.sign(req.csrPem)
      const cert = checkIssued({ certPem, keyPem: req.keyPem, node, caCert: this.#o.caCert })
      await saveNodeCertificate(this.#o.path, certPem, req.keyPem)
      this.#failures = 0
      log.info('node certificate renewed', { node, validTo: cert.validTo })
      try {
        this.#o.renewed?.(certPem, req.keyPem)
      } catch (error) {
        log.warn('the renewed node certificate could not be put in use', {
          node,
          error: (error as Error).message,
        })
      }
      this.#at(renewalDue(cert))
    } catch (error) {
      const retry = this.#o.retry ?? RETRY
      const wait = Math.min(retry.maxMs, retry.initialMs * 2 ** this.#failures++)
      log.warn('node certificate renewal failed; will retry', {
        node,
        error: (error as Error).message,
        retryInMs: wait,
      })
      this.#at(this.#o.clock.now() + wait)
    }
  }
}

/** `sign` over the plane's API: POST /shoal/v1/node-certificate with the node's token */
export function planeSigner(fetch: typeof globalThis.fetch, c: Credentials) {
  return async (csrPem: string): Promise<string> => {
    const url = `${c.plane}/shoal/v1/node-certificate`
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ csr: csrPem }),
    }).catch((error: Error) => {
      throw new UnavailableError(`node certificate: POST ${url} failed: ${error.message}`, {
        cause: error,
      })
    })
    const text = await res.text()
    if (!res.ok)
      throw new ShoalError(
        res.status === 422 ? 'Invalid' : res.status === 403 ? 'Forbidden' : 'Unavailable',
        `node certificate: the plane refused the renewal: HTTP ${res.status} ${text.slice(0, 300)}`,
      )
    const body = JSON.parse(text) as { certificate?: unknown }
    if (typeof body.certificate !== 'string')
      throw new BadRequestError("node certificate: the plane's answer has no certificate")
    return body.certificate
  }
}
