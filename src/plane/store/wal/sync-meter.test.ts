import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { setTimeout as sleep } from 'node:timers/promises'
import { SyncMeter } from './sync-meter.ts'

const busy = (ms: number) => {
  const end = performance.now() + ms
  while (performance.now() < end);
}
/** `n` syncs of `sec` each, the loop idle (waiting) or busy with its own work between them */
async function feed(m: SyncMeter, n: number, sec: number, loop: 'idle' | 'busy') {
  for (let i = 0; i < n; i++) {
    if (loop === 'busy') busy(12)
    else await sleep(12)
    m.record(sec, m.inline)
  }
}

test('a fast disk syncs inline whatever the load', async () => {
  const m = new SyncMeter()
  await feed(m, 30, 0.0001, 'busy')
  assert.ok(m.inline)
})

test('a 1 ms disk syncs inline while the loop mostly waits, on the pool while it is busy', async () => {
  const m = new SyncMeter()
  await feed(m, 20, 0.001, 'idle')
  assert.ok(m.inline, 'idle loop: inline')
  await feed(m, 20, 0.001, 'busy')
  assert.not.ok(m.inline, 'busy loop: pool')
  await feed(m, 20, 0.001, 'idle')
  assert.ok(m.inline, 'back to inline once the load drops')
})

test('slow disks (an SD card) and single stalls go to the pool', async () => {
  const slow = new SyncMeter()
  await feed(slow, 30, 0.006, 'idle')
  assert.not.ok(slow.inline, 'average over 2 ms')
  const m = new SyncMeter()
  await feed(m, 20, 0.0001, 'idle')
  assert.ok(m.inline)
  m.record(0.05, true)
  assert.not.ok(m.inline, 'one 50 ms sync leaves inline at once')
})

test('the modes: false never inline, always always; the histogram counts every sync', async () => {
  const never = new SyncMeter(false)
  await feed(never, 10, 0.0001, 'idle')
  assert.not.ok(never.inline)
  const always = new SyncMeter('always')
  always.record(0.5, true)
  assert.ok(always.inline)
  assert.is(never.stats.count, 10)
  assert.is(never.stats.buckets[0], 10)
  assert.is(always.stats.buckets.at(-1), 1)
  assert.is(always.stats.buckets.at(-3), 0)
})

test.run()
