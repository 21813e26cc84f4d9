import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Backoff, RESTART_BACKOFF } from './backoff.ts'

test('the kubelet back-off: 10 s doubling to 5 min', () => {
  const b = new Backoff(RESTART_BACKOFF)
  const delays = Array.from({ length: 7 }, () => b.next(1000) / 1000)
  assert.equal(delays, [10, 20, 40, 80, 160, 300, 300])
})

test('a long good run before the failure starts the count over; reset() too', () => {
  const b = new Backoff({ initialMs: 10, maxMs: 1000, resetAfterMs: 500 })
  assert.equal([b.next(), b.next(), b.next()], [10, 20, 40])
  assert.is(b.next(600), 10)
  b.next()
  b.reset()
  assert.is(b.next(), 10)
})

test('jitter spreads a delay by at most its fraction', () => {
  const low = new Backoff({ initialMs: 1000, maxMs: 1000, resetAfterMs: 1, jitter: 0.2 }, () => 0)
  const high = new Backoff({ initialMs: 1000, maxMs: 1000, resetAfterMs: 1, jitter: 0.2 }, () => 1)
  assert.equal([low.next(), high.next()], [800, 1200])
})

test.run()
