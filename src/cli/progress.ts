// A progress bar on stderr for what the CLI sends (image push): redrawn in place on a terminal,
// at most ten times a second; asked for with --progress where stderr is no terminal (a CI log, a
// pipe), one line at each tenth reached, so the log reads 0% … 100% without carriage returns.
import type { Io } from './context.ts'

export interface Progress {
  /** `done` bytes of the total are through */
  update(done: number): void
  /** the bar at its last value, ended with a newline */
  finish(): void
}

const WIDTH = 30
const REDRAW_MS = 100

/** bytes as docker prints sizes: 628B, 21.1kB, 13MB (decimal units) */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB']
  let i = 0
  let v = n
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000
    i++
  }
  return i === 0
    ? `${n}B`
    : `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)}${units[i]}`
}

export function renderBar(label: string, done: number, total: number): string {
  const share = total > 0 ? Math.min(1, done / total) : 1
  const filled = Math.floor(share * WIDTH)
  const bar = '='.repeat(filled) + (filled < WIDTH ? '>' + ' '.repeat(WIDTH - filled - 1) : '')
  const pct = `${Math.floor(share * 100)}%`.padStart(4)
  return `${label} [${bar}] ${pct}  ${formatBytes(done)}/${formatBytes(total)}`
}

export function progressBar(
  io: Io,
  o: { label: string; total: number; tty: boolean; now?: () => number },
): Progress {
  const now = o.now ?? Date.now
  let done = 0
  let drawnAt = -Infinity
  let tenth = -1
  const draw = (force: boolean) => {
    const line = renderBar(o.label, done, o.total)
    if (o.tty) {
      if (!force && now() - drawnAt < REDRAW_MS) return
      drawnAt = now()
      io.err(`\r${line}\x1b[K`)
      return
    }
    const reached = o.total > 0 ? Math.floor((done / o.total) * 10) : 10
    if (reached > tenth) {
      tenth = reached
      io.err(line + '\n')
    }
  }
  draw(true)
  return {
    update(n) {
      done = n
      draw(false)
    },
    finish() {
      draw(true)
      if (o.tty) io.err('\n')
    },
  }
}
