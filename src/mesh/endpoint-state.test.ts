import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { EndpointState } from './endpoint-state.ts'
import { endpoint } from './mesh-fixture.ts'

const policy = { consecutive5xx: 3, baseEjectionMs: 1000, maxEjectionMs: 5000 }

test('5xx eject after consecutive5xx in a row; a success in between starts the count again', () => {
  const s = new EndpointState(endpoint('p1', 'n1', 1), true)
  assert.is(s.recordOutcome('5xx', 0, policy), false)
  assert.is(s.recordOutcome('5xx', 0, policy), false)
  assert.is(s.recordOutcome('ok', 0, policy), false)
  assert.is(s.recordOutcome('5xx', 0, policy), false)
  assert.is(s.recordOutcome('5xx', 0, policy), false)
  assert.is(s.recordOutcome('5xx', 0, policy), true)
  assert.is(s.ejectedUntil, 1000)
})

test('ejection time doubles with each ejection, up to the cap, and starts over once healthy', () => {
  const s = new EndpointState(endpoint('p1', 'n1', 1), true)
  let now = 0
  const until: number[] = []
  for (let i = 0; i < 5; i++) {
    assert.is(s.recordOutcome('connect', now, policy), true)
    until.push(s.ejectedUntil - now)
    now = s.ejectedUntil // back, and failing again at once
  }
  assert.equal(until, [1000, 2000, 4000, 5000, 5000])
  assert.is(s.recordOutcome('connect', now - 1, policy), false) // still ejected: no new ejection
  // healthy for longer than its last ejection: the next one is the base again
  assert.is(s.recordOutcome('ok', now + 6000, policy), false)
  assert.is(s.recordOutcome('connect', now + 6001, policy), true)
  assert.is(s.ejectedUntil - (now + 6001), 1000)
})

test('idle() resolves once the requests in flight are done', async () => {
  const s = new EndpointState(endpoint('p1', 'n1', 1), true)
  s.begin()
  s.begin()
  let idle = false
  const done = s.idle().then(() => (idle = true))
  s.end(1, 200, false)
  await Promise.resolve()
  assert.is(idle, false)
  s.end(1, 200, false)
  await done
  assert.is(idle, true)
  assert.equal([s.requests, s.errors, s.outstanding], [2, 0, 0])
})

test.run()
