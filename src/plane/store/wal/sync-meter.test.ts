import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SyncMeter, type LoopClock } from './sync-meter.ts'

/** a loop whose time and busy time move only when the test says so */
class FakeLoop implements LoopClock {
  at = 0
  busy = 0
  now = () => this.at
  active = () => this.busy
  /** `ms` pass; the loop works through them (busy) or waits (idle) */
  pass(ms: number, loop: 'idle' | 'busy'): void {
    this.at += ms
    if (loop === 'busy') this.busy += ms
  }
}

/**
 * `n` syncs of `sec` each, with `gapMs` between them in which the loop is idle or busy with its
 * own work. A sync the meter runs inline blocks the loop for its duration (busy time it must not
 * count as load); one on the pool leaves the loop free.
 */
function feed(
  m: SyncMeter,
  loop: FakeLoop,
  o: { n: number; sec: number; between: 'idle' | 'busy'; gapMs?: number },
): void {
  for (let i = 0; i < o.n; i++) {
    loop.pass(o.gapMs ?? 12, o.between)
    const inline = m.inline
    loop.pass(o.sec * 1000, inline ? 'busy' : 'idle')
    m.record(o.sec, inline)
  }
}

function meter(mode?: boolean | 'always'): { m: SyncMeter; loop: FakeLoop } {
  const loop = new FakeLoop()
  return { m: new SyncMeter(mode, loop), loop }
}

test('a fast disk syncs inline whatever the load', () => {
  const { m, loop } = meter()
  feed(m, loop, { n: 30, sec: 0.0001, between: 'busy' })
  assert.ok(m.inline)
})

test('a 1 ms disk syncs inline while the loop mostly waits, on the pool while it is busy', () => {
  const { m, loop } = meter()
  feed(m, loop, { n: 20, sec: 0.001, between: 'idle' })
  assert.ok(m.inline, 'idle loop: inline')
  feed(m, loop, { n: 20, sec: 0.001, between: 'busy' })
  assert.not.ok(m.inline, 'busy loop: pool')
  feed(m, loop, { n: 20, sec: 0.001, between: 'idle' })
  assert.ok(m.inline, 'back to inline once the load drops')
})

test('the load is measured only after a 100 ms window: until then a 1 ms disk stays on the pool', () => {
  const { m, loop } = meter()
  feed(m, loop, { n: 8, sec: 0.001, between: 'idle' }) // 8 × 13 ms: the first window is still open
  assert.not.ok(m.inline, 'no load measured yet')
  feed(m, loop, { n: 1, sec: 0.001, between: 'idle' })
  assert.ok(m.inline, 'the window closed: the loop was idle')
})

test('time the loop spends in inline syncs is not counted as its own load', () => {
  const { m, loop } = meter()
  // 1.5 ms syncs (average under 2 ms) 0.5 ms apart: the loop is busy 75% of the time, all of it
  // in inline syncs, so its own load stays 0 and syncs stay inline
  feed(m, loop, { n: 40, sec: 0.0015, between: 'idle', gapMs: 12 })
  assert.ok(m.inline, 'inline after an idle start')
  feed(m, loop, { n: 400, sec: 0.0015, between: 'idle', gapMs: 0.5 })
  assert.ok(m.inline, 'inline syncs do not push the loop onto the pool')
})

test('slow disks (an SD card) and single stalls go to the pool', () => {
  const slow = meter()
  feed(slow.m, slow.loop, { n: 30, sec: 0.006, between: 'idle' })
  assert.not.ok(slow.m.inline, 'average over 2 ms')
  const { m, loop } = meter()
  feed(m, loop, { n: 20, sec: 0.0001, between: 'idle' })
  assert.ok(m.inline)
  m.record(0.05, true)
  assert.not.ok(m.inline, 'one 50 ms sync leaves inline at once')
})

test('the modes: false never inline, always always; the histogram counts every sync', () => {
  const never = meter(false)
  feed(never.m, never.loop, { n: 10, sec: 0.0001, between: 'idle' })
  assert.not.ok(never.m.inline)
  const always = meter('always')
  always.m.record(0.5, true)
  assert.ok(always.m.inline)
  assert.is(never.m.stats.count, 10)
  assert.is(never.m.stats.buckets[0], 10)
  assert.is(always.m.stats.buckets.at(-1), 1)
  assert.is(always.m.stats.buckets.at(-3), 0)
})

test.run()
