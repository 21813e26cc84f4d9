import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ageSince, humanDuration } from './age.ts'

const s = 1000
const m = 60 * s
const h = 60 * m
const d = 24 * h

test('ages are formatted like kubectl', () => {
  const cases: [number, string][] = [
    [-5 * s, '<invalid>'],
    [-500, '0s'],
    [0, '0s'],
    [5 * s, '5s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [3 * m + 2 * s, '3m2s'],
    [10 * m, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [5 * h + 30 * m, '5h30m'],
    [8 * h, '8h'],
    [47 * h, '47h'],
    [2 * d, '2d'],
    [3 * d + 4 * h, '3d4h'],
    [8 * d, '8d'],
    [729 * d, '729d'],
    [730 * d, '2y'],
    [3 * 365 * d + 10 * d, '3y10d'],
    [9 * 365 * d, '9y'],
  ]
  for (const [ms, want] of cases) assert.is(humanDuration(ms), want, `${ms} ms`)
})

test('ageSince reads RFC 3339 timestamps', () => {
  const now = Date.parse('2026-01-01T00:10:00Z')
  assert.is(ageSince('2026-01-01T00:00:00Z', now), '10m')
  assert.is(ageSince('2026-01-01T00:09:55Z', new Date(now)), '5s')
  assert.is(ageSince(undefined, now), '<unknown>')
  assert.is(ageSince('garbage', now), '<unknown>')
})

test.run()
