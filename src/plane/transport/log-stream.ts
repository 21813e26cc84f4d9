// One log request's lines as an async iterator: ready() (or the first next()) sends the request;
// ready() resolves once the node answered, even with no line yet, or throws what went wrong
// (so an HTTP answer can still carry the error); return() — the reader left — ends it at once,
// even while waiting for lines, and has the request cancelled. Lines the reader has not taken
// are bounded: past MAX_BUFFERED_BYTES the stream fails rather than hold a node's whole log.
import { UnavailableError } from '../../core/index.ts'

export const MAX_BUFFERED_BYTES = 16 << 20

/** log lines; ready() resolves when the node has answered, or throws why it cannot */
export interface LogLines extends AsyncIterableIterator<string> {
  ready(): Promise<void>
  /** the reader leaves: the request is cancelled */
  return(): Promise<IteratorResult<string, undefined>>
}

export class LogStream implements LogLines {
  #lines: string[] = []
  #answered = false
  #head = 0
  #bytes = 0
  #ended = false
  #error: Error | undefined
  #wake: (() => void) | undefined
  #started: Promise<void> | undefined
  #stopped = false
  readonly #start: () => Promise<void>
  readonly #stop: (cancel: boolean) => void

  /** `start` sends the request; `stop(cancel)` forgets it (and cancels it when the reader left) */
  constructor(start: () => Promise<void>, stop: (cancel: boolean) => void) {
    this.#start = start
    this.#stop = stop
  }

  /** the request is forgotten once, cancelled if the reader left before the end */
  #finish(cancel: boolean): void {
    if (this.#stopped) return
    this.#stopped = true
    this.#stop(cancel)
  }

  /** the node answered (lines may follow) */
  answered(): void {
    this.#answered = true
    this.#wake?.()
  }

  push(lines: string[]): void {
    if (this.#ended) return
    for (const l of lines) {
      this.#lines.push(l)
      this.#bytes += l.length
    }
    if (this.#bytes > MAX_BUFFERED_BYTES) {
      this.end(new UnavailableError('transport: the log reader fell more than 16 MiB behind'))
      this.#finish(true)
    }
    this.#wake?.()
  }

  /** no more lines; with an error, the reader gets it after the lines already here */
  end(err?: Error): void {
    if (this.#ended) return
    this.#ended = true
    this.#error = err
    this.#wake?.()
  }

  async ready(): Promise<void> {
    await this.#begin()
    while (!this.#answered && !this.#ended) await this.#sleep()
    if (this.#error && this.#head >= this.#lines.length) await this.next() // throws it
  }

  #begin(): Promise<void> {
    return (this.#started ??= this.#start().catch((err: Error) => this.end(err)))
  }

  #sleep(): Promise<void> {
    return new Promise<void>((resolve) => (this.#wake = resolve)).then(() => {
      this.#wake = undefined
    })
  }

  async next(): Promise<IteratorResult<string, undefined>> {
    await this.#begin()
    for (;;) {
      if (this.#head < this.#lines.length) {
        const line = this.#lines[this.#head++]!
        this.#bytes -= line.length
        if (this.#head > 1024 && this.#head * 2 > this.#lines.length) {
          this.#lines = this.#lines.slice(this.#head)
          this.#head = 0
        }
        return { value: line, done: false }
      }
      if (this.#error) {
        const err = this.#error
        this.#error = undefined
        this.#finish(false)
        throw err
      }
      if (this.#ended) {
        this.#finish(false)
        return { value: undefined, done: true }
      }
      await this.#sleep()
    }
  }

  return(): Promise<IteratorResult<string, undefined>> {
    const cancel = !this.#ended
    this.#ended = true
    this.#error = undefined
    this.#lines = []
    this.#head = 0
    this.#finish(cancel)
    this.#wake?.()
    return Promise.resolve({ value: undefined, done: true })
  }

  [Symbol.asyncIterator](): this {
    return this
  }
}
