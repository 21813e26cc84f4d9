import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseCronSchedule } from './cron-schedule.ts'

const fields = (s: string) => {
  const r = parseCronSchedule(s)
  if (!r.ok || r.value.kind !== 'fields') throw new Error(`${s}: ${JSON.stringify(r)}`)
  return r.value
}
const error = (s: string) => {
  const r = parseCronSchedule(s)
  return r.ok ? 'parsed' : r.error
}

test('ranges, steps, lists and names, as robfig/cron reads them', () => {
  const s = fields('*/15 9-17/4 1,15 jan-MAR mon-fri')
  assert.equal(s.minute, [0, 15, 30, 45])
  assert.equal(s.hour, [9, 13, 17])
  assert.equal(s.dom, [1, 15])
  assert.equal(s.month, [1, 2, 3])
  assert.equal(s.dow, [1, 2, 3, 4, 5])
  assert.equal(fields('5/20 * * * *').minute, [5, 25, 45], 'N/step is N-max/step')
})

test('day of month and day of week: a star (without a step > 1) makes them ANDed', () => {
  assert.equal([fields('0 0 * * 5').domStar, fields('0 0 * * 5').dowStar], [true, false])
  assert.is(fields('0 0 */10 * 5').domStar, false)
  assert.is(fields('0 0 ? * *').domStar, true)
})

test('descriptors and @every', () => {
  assert.equal(fields('@hourly').minute, [0])
  assert.equal(fields('@weekly').dow, [0])
  assert.equal(parseCronSchedule('@every 1h30m'), {
    ok: true,
    value: { kind: 'every', everyMs: 5_400_000 },
  })
  assert.equal(parseCronSchedule('@every 10ms'), {
    ok: true,
    value: { kind: 'every', everyMs: 1000 },
  })
})

test('what is wrong is named, in robfig/cron words', () => {
  assert.is(error(''), 'empty spec string')
  assert.is(error('* * * *'), 'expected exactly 5 fields, found 4: [* * * *]')
  assert.is(error('61 * * * *'), 'end of range (61) above maximum (59): 61')
  assert.is(error('* * 0 * *'), 'beginning of range (0) below minimum (1): 0')
  assert.is(error('5-1 * * * *'), 'beginning of range (5) beyond end of range (1): 5-1')
  assert.is(error('*/0 * * * *'), 'step of range should be a positive number: */0')
  assert.is(error('1-2-3 * * * *'), 'too many hyphens: 1-2-3')
  assert.is(
    error('x * * * *'),
    'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax',
  )
  assert.is(error('@fortnightly'), 'unrecognized descriptor: @fortnightly')
  assert.is(
    error('@every soon'),
    'failed to parse duration @every soon: time: invalid duration "soon"',
  )
  assert.is(
    error('0 0 L * *'),
    'failed to parse int from L: strconv.Atoi: parsing "L": invalid syntax',
  )
})

test.run()
