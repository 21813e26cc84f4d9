// batch/v1 CronJob: a Job made from jobTemplate at each time of a cron schedule.
import type { KubeObject, ObjectMeta } from './meta.ts'
import type { ObjectReference } from './service.ts'
import type { JobSpec } from './workloads.ts'

export interface JobTemplateSpec {
  metadata?: ObjectMeta
  spec: JobSpec
}

export interface CronJobSpec {
  /** five cron fields or a descriptor (@hourly, @every 5m…), read in timeZone */
  schedule: string
  /** an IANA time zone name; the plane's (UTC) when absent */
  timeZone?: string
  startingDeadlineSeconds?: number
  concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace'
  suspend?: boolean
  jobTemplate: JobTemplateSpec
  successfulJobsHistoryLimit?: number
  failedJobsHistoryLimit?: number
}

export interface CronJobStatus {
  /** the Jobs it runs now */
  active?: ObjectReference[]
  lastScheduleTime?: string
  lastSuccessfulTime?: string
}

export interface CronJob extends KubeObject {
  spec: CronJobSpec
  status?: CronJobStatus
}
