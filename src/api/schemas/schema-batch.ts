// Field schema of batch/v1 CronJob: its jobTemplate is a Job's metadata and spec.
import { bool, fields, int, int64, listOf, str, time, type ObjectSchema } from './field-schema.ts'
import { kindSchema, objectMeta, objectReference } from './schema-meta.ts'
import { job } from './schema-workloads.ts'

export const cronJob = kindSchema({
  spec: {
    ...fields(str, 'schedule', 'timeZone', 'concurrencyPolicy'),
    startingDeadlineSeconds: int64,
    suspend: bool,
    jobTemplate: { metadata: objectMeta, spec: job.spec as ObjectSchema },
    ...fields(int, 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit'),
  },
  status: {
    active: listOf(objectReference),
    ...fields(time, 'lastScheduleTime', 'lastSuccessfulTime'),
  },
})
