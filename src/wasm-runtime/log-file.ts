// Adapter: an instance's log file, <logDir>/<id>.log, one line per guest line in the CRI format
// the kubelet writes: "<RFC 3339 time> <stdout|stderr> F <text>". Opened on the first line, so
// an idle instance holds no file descriptor.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs'
import { join } from 'node:path'
import type { LogLine } from './types.ts'

export class LogFile {
  readonly path: string
  #out: WriteStream | undefined

  constructor(logDir: string, id: string) {
    this.path = join(logDir, `${encodeURIComponent(id)}.log`)
  }

  append(line: LogLine): void {
    if (!this.#out) {
      mkdirSync(join(this.path, '..'), { recursive: true })
      this.#out = createWriteStream(this.path, { flags: 'a' })
      this.#out.on('error', () => undefined)
    }
    this.#out.write(`${new Date(line.time).toISOString()} ${line.stream} F ${line.text}\n`)
  }

  close(): Promise<void> {
    const out = this.#out
    this.#out = undefined
    return new Promise((resolve) => (out ? out.end(resolve) : resolve()))
  }
}
