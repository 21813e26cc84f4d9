// Validation of batch/v1 CronJob, as Kubernetes' ValidateCronJobCreate: the schedule parses as
// robfig/cron's standard schedule (its own error message) and names no TZ, the time zone is an
// IANA name the runtime knows (never "Local"), the policy is one of three, limits and deadline
// are not negative, the name leaves room for the Job's "-<minutes>" suffix, and the job
// template is a valid Job's spec (paths under spec.jobTemplate.spec).
import { parseCronSchedule } from '../formats/index.ts'
import type { CronJob, Job } from '../types/index.ts'
import { checkRange, invalid, notSupported, required, type FieldCause } from './field-errors.ts'
import { validateJob } from './validate-workloads.ts'

/** Kubernetes: 63 (a label value: the Job name) - 11 (the "-<minutes since epoch>" suffix) */
const MAX_NAME = 52
const TZ_SEGMENT = /^[A-Za-z.\-_0-9+]{1,14}$/

/** IANA zone names as Go's time.LoadLocation takes them, checked against the runtime's tz data */
export function timeZoneProblem(tz: string): string | undefined {
  if (tz.toLowerCase() === 'local')
    return 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'
  if (!tz.split('/').every((s) => TZ_SEGMENT.test(s)) || tz.includes('..'))
    return `unknown time zone ${tz}`
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return undefined
  } catch {
    return `unknown time zone ${tz}`
  }
}

function validateSchedule(schedule: unknown): FieldCause[] {
  const field = 'spec.schedule'
  if (schedule === undefined || schedule === null || schedule === '') return [required(field)]
  if (typeof schedule !== 'string') return [invalid(field, schedule, 'must be a string')]
  const out: FieldCause[] = []
  const parsed = parseCronSchedule(schedule)
  if (!parsed.ok) out.push(invalid(field, schedule, parsed.error))
  if (schedule.includes('TZ'))
    out.push(
      invalid(field, schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'),
    )
  return out
}

export function validateCronJob(cj: CronJob): FieldCause[] {
  const spec = cj.spec
  if (!spec || typeof spec !== 'object') return [required('spec')]
  const out = validateSchedule(spec.schedule)
  const name = cj.metadata?.name
  if (typeof name === 'string' && name.length > MAX_NAME)
    out.push(invalid('metadata.name', name, `must be no more than ${MAX_NAME} characters`))
  if (spec.timeZone !== undefined && spec.timeZone !== null) {
    const problem =
      typeof spec.timeZone === 'string' ? timeZoneProblem(spec.timeZone) : 'must be a string'
    if (problem) out.push(invalid('spec.timeZone', spec.timeZone, problem))
  }
  const policies = ['Allow', 'Forbid', 'Replace']
  if (!policies.includes(spec.concurrencyPolicy ?? ''))
    out.push(
      spec.concurrencyPolicy
        ? notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy, policies)
        : required('spec.concurrencyPolicy'),
    )
  out.push(...checkRange('spec.startingDeadlineSeconds', spec.startingDeadlineSeconds, 0))
  out.push(...checkRange('spec.successfulJobsHistoryLimit', spec.successfulJobsHistoryLimit, 0))
  out.push(...checkRange('spec.failedJobsHistoryLimit', spec.failedJobsHistoryLimit, 0))
  const t = spec.jobTemplate
  if (!t || typeof t !== 'object' || !t.spec || typeof t.spec !== 'object')
    return [...out, required('spec.jobTemplate.spec')]
  // the template's Job as the Job controller will get it: its selector generated, so not required
  const job = { kind: 'Job', metadata: t.metadata ?? {}, spec: t.spec } as Job
  const under = validateJob(job).map((c) => ({
    ...c,
    field: c.field.replace(/^spec\./, 'spec.jobTemplate.spec.'),
  }))
  return [...out, ...under]
}
