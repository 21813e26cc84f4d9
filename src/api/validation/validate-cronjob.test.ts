import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { applyDefaults } from '../defaults/index.ts'
import type { CronJob } from '../types/index.ts'
import { validate } from './validate.ts'

const cronJob = (spec: Partial<CronJob['spec']> = {}, name = 'reading'): CronJob =>
  applyDefaults({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: 'default' },
    spec: {
      schedule: '*/5 * * * *',
      jobTemplate: {
        spec: {
          template: {
            spec: { containers: [{ name: 'read', image: 'sensor:1' }], restartPolicy: 'Never' },
          },
        },
      },
      ...spec,
    },
  })

test('defaults: Allow, not suspended, 3 successful and 1 failed Job kept', () => {
  const cj = cronJob()
  assert.equal(
    [
      cj.spec.concurrencyPolicy,
      cj.spec.suspend,
      cj.spec.successfulJobsHistoryLimit,
      cj.spec.failedJobsHistoryLimit,
    ],
    ['Allow', false, 3, 1],
  )
  assert.equal(validate(cj), [])
})

test('a bad schedule, time zone, policy or template is named', () => {
  assert.equal(validate(cronJob({ schedule: '0 25 * * *' })), [
    {
      field: 'spec.schedule',
      message: 'Invalid value: "0 25 * * *": end of range (25) above maximum (23): 25',
    },
  ])
  assert.equal(
    validate(cronJob({ schedule: 'TZ=UTC 0 * * * *' })).map((c) => c.field),
    ['spec.schedule', 'spec.schedule'],
  )
  assert.equal(validate(cronJob({ timeZone: 'Mars/Olympus' })), [
    {
      field: 'spec.timeZone',
      message: 'Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
    },
  ])
  assert.equal(validate(cronJob({ timeZone: 'Europe/Berlin' })), [])
  assert.equal(validate(cronJob({ concurrencyPolicy: 'Sometimes' as 'Allow' })), [
    {
      field: 'spec.concurrencyPolicy',
      message: 'Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
    },
  ])
  const always = cronJob()
  always.spec.jobTemplate.spec.template.spec!.restartPolicy = 'Always'
  assert.equal(
    validate(always).map((c) => c.field),
    ['spec.jobTemplate.spec.template.spec.restartPolicy'],
  )
  assert.equal(
    validate(cronJob({}, 'x'.repeat(53))).map((c) => c.field),
    ['metadata.name'],
  )
})

test.run()
