// Per-instance log: bytes from the guest's stdout/stderr become timestamped lines, kept in a ring
// of the last N lines, handed to a sink (the log file) and to followers. Pure.
import type { LogLine, LogOptions } from './types.ts'

export type LineSink = (line: LogLine) => void

const decoder = new TextDecoder()
const maxLineBytes = 16 * 1024

export function formatLine(line: LogLine, timestamps: boolean): string {
  return timestamps ? `${new Date(line.time).toISOString()} ${line.stream} ${line.text}` : line.text
}

export class LogBuffer {
  readonly #capacity: number
  readonly #lines: LogLine[] = []
  readonly #partial = { stdout: '', stderr: '' }
  readonly #followers = new Set<() => void>()
  readonly #sink: LineSink
  #seq = 0
  #closed = false

  constructor(capacity: number, sink: LineSink) {
    this.#capacity = capacity
    this.#sink = sink
  }

  write(stream: 'stdout' | 'stderr', time: number, bytes: Uint8Array): void {
    let text = this.#partial[stream] + decoder.decode(bytes)
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n')) {
      this.#add({ time, stream, text: text.slice(0, at).replace(/\r$/, '') })
      text = text.slice(at + 1)
    }
    if (text.length > maxLineBytes) {
      this.#add({ time, stream, text })
      text = ''
    }
    this.#partial[stream] = text
  }

  #add(line: LogLine): void {
    this.#lines.push(line)
    if (this.#lines.length > this.#capacity) this.#lines.shift()
    this.#seq++
    this.#sink(line)
    for (const wake of this.#followers) wake()
  }

  /** Flush unterminated output and end every follower. */
  close(time = Date.now()): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.#partial[stream]) this.#add({ time, stream, text: this.#partial[stream] })
      this.#partial[stream] = ''
    }
    this.#closed = true
    for (const wake of this.#followers) wake()
  }

  /** Reopen after a restart under the same id (the ring keeps the earlier lines). */
  reopen(): void {
    this.#closed = false
  }

  lines(): LogLine[] {
    return [...this.#lines]
  }

  async *read(opts: LogOptions = {}): AsyncGenerator<string> {
    const timestamps = opts.timestamps ?? false
    const tail =
      opts.tailLines === undefined
        ? this.#lines
        : this.#lines.slice(Math.max(0, this.#lines.length - opts.tailLines))
    let seen = this.#seq
    for (const line of tail) yield formatLine(line, timestamps)
    while (opts.follow && !this.#closed) {
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.#followers.delete(wake)
          resolve()
        }
        this.#followers.add(wake)
      })
      const fresh = Math.min(this.#seq - seen, this.#lines.length)
      seen = this.#seq
      for (const line of this.#lines.slice(this.#lines.length - fresh))
        yield formatLine(line, timestamps)
    }
  }
}
