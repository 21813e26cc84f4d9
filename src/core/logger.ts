// Structured, leveled logging to stderr. Components take a Logger so tests can capture lines.

export type Level = 'debug' | 'info' | 'warn' | 'error'
const rank: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
  child(component: string): Logger
}

export type Sink = (line: {
  level: Level
  component: string
  msg: string
  fields?: Record<string, unknown>
}) => void

const stderrSink: Sink = ({ level, component, msg, fields }) => {
  const extra = fields && Object.keys(fields).length ? ' ' + JSON.stringify(fields) : ''
  process.stderr.write(
    `${new Date().toISOString()} ${level.padEnd(5)} ${component}: ${msg}${extra}\n`,
  )
}

export function createLogger(
  component = 'shoal',
  opts: { level?: Level; sink?: Sink } = {},
): Logger {
  const min = rank[opts.level ?? ((process.env.SHOAL_LOG_LEVEL as Level) || 'info')] ?? rank.info
  const sink = opts.sink ?? stderrSink
  const at = (level: Level) => (msg: string, fields?: Record<string, unknown>) => {
    if (rank[level] >= min) sink({ level, component, msg, fields })
  }
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (name) => createLogger(`${component}/${name}`, { level: opts.level, sink }),
  }
}

/** Collects lines in memory; for tests that assert what was reported. */
export function memoryLogger(): Logger & {
  lines: { level: Level; component: string; msg: string; fields?: Record<string, unknown> }[]
} {
  const lines: {
    level: Level
    component: string
    msg: string
    fields?: Record<string, unknown>
  }[] = []
  const log = createLogger('test', { level: 'debug', sink: (l) => lines.push(l) })
  return Object.assign(log, { lines })
}
