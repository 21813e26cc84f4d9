// The times of a CronJob's schedule, as Kubernetes' CronJob controller computes them with
// robfig/cron: next(t), the first time strictly after t, read in the CronJob's time zone (UTC
// when it has none — the plane's zone); and mostRecent, the latest time due since the last
// schedule (or creation, or startingDeadlineSeconds ago), with how many were missed (> 100:
// "many"). The schedule is parsed by src/api (robfig's grammar and messages); the calendar
// arithmetic across time zones and DST is croner's (zero dependencies, Intl time zones),
// handed the parsed fields as explicit lists so robfig's day-of-month/day-of-week rule holds.
import { Cron } from 'croner'
import { parseCronSchedule, type CronJob } from '../../api/index.ts'

export interface Schedule {
  /** the first time strictly after `t` (ms), or undefined when there is none */
  next(t: number): number | undefined
}

/** the CronJob's schedule, or why it has none */
export function scheduleOf(cj: CronJob): Schedule | { error: string } {
  const parsed = parseCronSchedule(cj.spec.schedule ?? '')
  if (!parsed.ok) return { error: parsed.error }
  const s = parsed.value
  if (s.kind === 'every') return { next: (t) => Math.floor(t / 1000) * 1000 + s.everyMs }
  const list = (v: number[]) => v.join(',')
  const pattern = [
    list(s.minute),
    list(s.hour),
    s.domStar ? '*' : list(s.dom),
    list(s.month),
    s.dowStar ? '*' : list(s.dow),
  ].join(' ')
  try {
    const cron = new Cron(pattern, { mode: '5-part', timezone: cj.spec.timeZone ?? 'UTC' })
    return { next: (t) => cron.nextRun(new Date(t))?.getTime() }
  } catch (err) {
    return { error: (err as Error).message }
  }
}

export interface Due {
  /** where the search started: the last schedule time, creation, or the deadline window */
  earliest: number
  /** the latest time due at `now`, if any */
  mostRecent?: number
  missed: 'none' | 'few' | 'many'
}

/** Kubernetes' mostRecentScheduleTime */
export function mostRecent(
  cj: CronJob,
  schedule: Schedule,
  o: { now: number; withDeadline: boolean },
): Due {
  const { now } = o
  let earliest = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '')
  if (Number.isNaN(earliest)) earliest = now
  const deadline = cj.spec.startingDeadlineSeconds
  if (o.withDeadline && deadline !== undefined && deadline !== null)
    earliest = Math.max(earliest, now - deadline * 1000)
  const t1 = schedule.next(earliest)
  if (t1 === undefined || now < t1) return { earliest, missed: 'none' }
  const t2 = schedule.next(t1)
  if (t2 === undefined || now < t2) return { earliest, mostRecent: t1, missed: 'none' }
  const between = Math.round((t2 - t1) / 1000)
  const count = Math.floor((now - t1) / 1000 / between) + 1
  let latest: number | undefined
  const from = t1 + (count - 2) * between * 1000
  for (let t = schedule.next(from); t !== undefined && t <= now; t = schedule.next(t)) latest = t
  const missed = count > 100 ? 'many' : count > 1 ? 'few' : 'none'
  return { earliest, mostRecent: latest, missed }
}
