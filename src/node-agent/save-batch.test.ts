import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { FakeClock } from '../core/index.ts'
import { SaveBatch } from './save-batch.ts'

const turn = () => new Promise((r) => setImmediate(r))

function batch(delayMs = 10) {
  const clock = new FakeClock(0)
  let state = 0
  const disk: number[] = []
  const errors: unknown[] = []
  let fail = false
  const gates: (() => void)[] = []
  let gated = false
  const b = new SaveBatch(
    async () => {
      const s = state
      if (gated) await new Promise<void>((r) => gates.push(r))
      if (fail) throw new Error('disk full')
      disk.push(s)
    },
    { clock, delayMs, onError: (e) => errors.push(e) },
  )
  const change = () => {
    state++
    return b.request()
  }
  return {
    b,
    clock,
    disk,
    errors,
    change,
    fail: (v: boolean) => (fail = v),
    gate: (v: boolean) => (gated = v),
    open: () => gates.splice(0).forEach((g) => g()),
  }
}

test('a burst of changes within the delay is one write of the latest state', async () => {
  const t = batch()
  const saves = Array.from({ length: 100 }, () => t.change())
  assert.is(t.b.writes, 0, 'nothing before the delay')
  t.clock.advance(10)
  await Promise.all(saves)
  assert.is(t.b.writes, 1)
  assert.equal(t.disk, [100])
})

test('changes while a write runs mark it dirty: one more write follows, after the delay', async () => {
  const t = batch()
  t.gate(true)
  const first = t.change()
  t.clock.advance(10)
  await turn()
  const later = Array.from({ length: 50 }, () => t.change())
  t.gate(false)
  t.open()
  await first
  assert.is(t.b.writes, 1)
  await turn()
  t.clock.advance(10)
  await Promise.all(later)
  assert.is(t.b.writes, 2)
  assert.equal(t.disk, [1, 51])
})

test('flush writes at once and resolves when all asked for is on disk', async () => {
  const t = batch(60_000)
  void t.change()
  void t.change()
  t.b.mark()
  await t.b.flush()
  assert.equal(t.disk, [2])
  await t.b.flush() // nothing asked for: no write
  assert.is(t.b.writes, 1)
})

test('a failed write rejects its requests and goes to onError; the next change writes again', async () => {
  const t = batch()
  t.fail(true)
  const failing = t.change()
  t.b.mark()
  t.clock.advance(10)
  await failing.then(
    () => assert.unreachable('should reject'),
    (e: Error) => assert.is(e.message, 'disk full'),
  )
  assert.is(t.errors.length, 1, 'one error for the write, not one per change')
  t.fail(false)
  const ok = t.change()
  t.clock.advance(10)
  await ok
  assert.equal(t.disk, [2])
})

test.run()
