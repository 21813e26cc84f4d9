// A Kubernetes-style probe loop: after initialDelaySeconds, every periodSeconds run the check;
// successThreshold passes in a row make it pass, failureThreshold failures in a row make it fail.
// Only transitions are reported. The check is injected (HTTP GET or "still running"), time too.
import type { Clock, Timer } from '../core/index.ts'
import type { ProbeSpec } from './types.ts'

/** undefined when the check passed, null when it cannot tell (the instance moved while it was
 *  asked: a new one answers at another address), else why it failed */
export type ProbeCheck = (timeoutMs: number) => Promise<string | undefined | null>

export class ProbeLoop {
  readonly #probe: ProbeSpec
  readonly #check: ProbeCheck
  readonly #onChange: (passing: boolean, message: string) => void
  readonly #clock: Clock
  #timer: Timer | undefined
  #passing: boolean | undefined
  #successes = 0
  #failures = 0
  #stopped = false

  constructor(
    probe: ProbeSpec,
    check: ProbeCheck,
    onChange: (passing: boolean, message: string) => void,
    clock: Clock,
  ) {
    this.#probe = probe
    this.#check = check
    this.#onChange = onChange
    this.#clock = clock
  }

  start(): void {
    this.#schedule((this.#probe.initialDelaySeconds ?? 0) * 1000)
  }

  stop(): void {
    this.#stopped = true
    this.#timer?.cancel()
  }

  #schedule(ms: number): void {
    if (!this.#stopped) this.#timer = this.#clock.setTimeout(() => void this.#tick(), ms)
  }

  async #tick(): Promise<void> {
    const timeoutMs = (this.#probe.timeoutSeconds ?? 1) * 1000
    let failure: string | undefined | null
    try {
      failure = await this.#check(timeoutMs)
    } catch (error) {
      failure = (error as Error).message
    }
    if (this.#stopped) return
    if (failure !== null) this.#record(failure)
    this.#schedule((this.#probe.periodSeconds ?? 10) * 1000)
  }

  #record(failure: string | undefined): void {
    if (failure === undefined) {
      this.#failures = 0
      this.#successes++
      if (this.#passing !== true && this.#successes >= (this.#probe.successThreshold ?? 1)) {
        this.#passing = true
        this.#onChange(true, 'probe passed')
      }
      return
    }
    this.#successes = 0
    this.#failures++
    if (this.#passing !== false && this.#failures >= (this.#probe.failureThreshold ?? 3)) {
      this.#passing = false
      this.#onChange(false, failure)
    }
  }
}

/** The check of a probe: an HTTP GET to the instance (2xx/3xx passes), or just "running". */
export function probeCheck(
  probe: ProbeSpec,
  url: () => string | undefined,
  running: () => boolean,
): ProbeCheck {
  const get = probe.httpGet
  if (!get) return async () => (running() ? undefined : 'instance is not running')
  return async (timeoutMs) => {
    const base = url()
    if (!base) return 'instance has no address'
    try {
      const response = await fetch(base + get.path, { signal: AbortSignal.timeout(timeoutMs) })
      await response.arrayBuffer()
      return response.status >= 200 && response.status < 400
        ? undefined
        : `HTTP GET ${get.path} answered ${response.status}`
    } catch (error) {
      if (url() !== base) return null
      return `HTTP GET ${get.path} failed: ${(error as Error).message}`
    }
  }
}
