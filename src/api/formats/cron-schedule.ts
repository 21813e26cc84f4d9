// A CronJob's schedule, read as Kubernetes reads it (robfig/cron v3's ParseStandard): five
// fields — minute 0-59, hour 0-23, day of month 1-31, month 1-12 or jan-dec, day of week 0-6 or
// sun-sat — each `*` or `?`, a value, a range a-b, a step (`*/n`, `a-b/n`, `a/n` = a-max/n) or a
// comma list of those; or a descriptor: @yearly @annually @monthly @weekly @daily @midnight
// @hourly, @every <Go duration>. Day of month and day of week are ORed when both are
// restricted, ANDed when either starts with `*` or `?` without a step > 1. Errors are robfig's
// own messages, which Kubernetes puts in its field error. Pure; no time arithmetic here.

export type CronSchedule =
  | {
      kind: 'fields'
      minute: number[]
      hour: number[]
      dom: number[]
      month: number[]
      dow: number[]
      /** the field was `*` or `?` (without a step > 1): day of month and week are ANDed */
      domStar: boolean
      dowStar: boolean
    }
  | { kind: 'every'; everyMs: number }

type Parsed = { ok: true; value: CronSchedule } | { ok: false; error: string }

interface Bounds {
  min: number
  max: number
  names?: Record<string, number>
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']
const FIELDS: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: Object.fromEntries(MONTHS.map((m, i) => [m, i + 1])) },
  { min: 0, max: 6, names: Object.fromEntries(DAYS.map((d, i) => [d, i])) },
]

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
}

class CronError extends Error {}

/** Go's strconv.Atoi error, as robfig's mustParseInt wraps it */
function parseInt10(s: string): number {
  if (!/^[+-]?\d+$/.test(s))
    throw new CronError(
      `failed to parse int from ${s}: strconv.Atoi: parsing "${s}": invalid syntax`,
    )
  const n = Number(s)
  if (n < 0) throw new CronError(`negative number (${n}) not allowed: ${s}`)
  return n
}

function intOrName(s: string, b: Bounds): number {
  const named = b.names?.[s.toLowerCase()]
  return named ?? parseInt10(s)
}

/** one comma-separated part of a field: its values, and whether it counts as a star */
function range(expr: string, b: Bounds): { values: number[]; star: boolean } {
  const rangeAndStep = expr.split('/')
  const lowAndHigh = rangeAndStep[0].split('-')
  const single = lowAndHigh.length === 1
  let start: number
  let end: number
  let star = false
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    ;[start, end, star] = [b.min, b.max, true]
  } else {
    start = intOrName(lowAndHigh[0], b)
    if (lowAndHigh.length === 1) end = start
    else if (lowAndHigh.length === 2) end = intOrName(lowAndHigh[1], b)
    else throw new CronError(`too many hyphens: ${expr}`)
  }
  let step = 1
  if (rangeAndStep.length === 2) {
    step = parseInt10(rangeAndStep[1])
    if (single) end = b.max // "N/step" means "N-max/step"
    if (step > 1) star = false
  } else if (rangeAndStep.length > 2) throw new CronError(`too many slashes: ${expr}`)
  if (start < b.min)
    throw new CronError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`)
  if (end > b.max) throw new CronError(`end of range (${end}) above maximum (${b.max}): ${expr}`)
  if (start > end)
    throw new CronError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`)
  if (step === 0) throw new CronError(`step of range should be a positive number: ${expr}`)
  const values: number[] = []
  for (let v = start; v <= end; v += step) values.push(v)
  return { values, star }
}

function field(text: string, b: Bounds): { values: number[]; star: boolean } {
  const all = new Set<number>()
  let star = false
  for (const part of text.split(',')) {
    const r = range(part, b)
    r.values.forEach((v) => all.add(v))
    star ||= r.star
  }
  return { values: [...all].sort((x, y) => x - y), star }
}

const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
}

/** Go's time.ParseDuration, in ms */
function goDuration(s: string): number | undefined {
  const m = /^([+-]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+|0)$/.exec(s)
  if (!m) return undefined
  let ms = 0
  for (const [, n, unit] of m[2].matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g))
    ms += Number(n) * UNITS[unit]
  return m[1] === '-' ? -ms : ms
}

function descriptor(spec: string): CronSchedule {
  if (spec.startsWith('@every ')) {
    const text = spec.slice('@every '.length)
    const ms = goDuration(text)
    if (ms === undefined)
      throw new CronError(`failed to parse duration ${spec}: time: invalid duration "${text}"`)
    // robfig's Every: under a second is a second; rounded down to whole seconds
    return { kind: 'every', everyMs: ms < 1000 ? 1000 : Math.floor(ms / 1000) * 1000 }
  }
  const fields = DESCRIPTORS[spec]
  if (!fields) throw new CronError(`unrecognized descriptor: ${spec}`)
  return standard(fields)
}

function standard(spec: string): CronSchedule {
  const parts = spec.split(/\s+/).filter(Boolean)
  if (parts.length !== 5)
    throw new CronError(`expected exactly 5 fields, found ${parts.length}: [${parts.join(' ')}]`)
  const [minute, hour, dom, month, dow] = parts.map((p, i) => field(p, FIELDS[i]))
  return {
    kind: 'fields',
    minute: minute.values,
    hour: hour.values,
    dom: dom.values,
    month: month.values,
    dow: dow.values,
    domStar: dom.star,
    dowStar: dow.star,
  }
}

/** the schedule, or robfig's message for what is wrong with it */
export function parseCronSchedule(spec: string): Parsed {
  try {
    const s = spec.trim()
    if (!s) return { ok: false, error: 'empty spec string' }
    return { ok: true, value: s.startsWith('@') ? descriptor(s) : standard(s) }
  } catch (err) {
    if (err instanceof CronError) return { ok: false, error: err.message }
    throw err
  }
}
