import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { FakeClock } from '../../../core/index.ts'
import { WorkQueue } from './work-queue.ts'

test('a key added twice while queued is handed out once', async () => {
  const q = new WorkQueue(new FakeClock())
  q.add('a')
  q.add('b')
  q.add('a')
  assert.is(q.length, 2)
  assert.is(await q.get(), 'a')
  assert.is(await q.get(), 'b')
})

test('a key added while it is processed is held until done, then queued once', async () => {
  const q = new WorkQueue(new FakeClock())
  q.add('a')
  assert.is(await q.get(), 'a')
  q.add('a')
  q.add('a')
  assert.is(q.length, 0, 'not handed out twice at once')
  q.done('a')
  assert.is(q.length, 1)
  assert.is(await q.get(), 'a')
})

test('rate-limited re-queue backs off per key, doubling; forget resets it', async () => {
  const clock = new FakeClock()
  const q = new WorkQueue(clock, { baseMs: 10, maxMs: 35 })
  const delays: number[] = []
  for (let i = 0; i < 4; i++) {
    const start = clock.now()
    q.addRateLimited('a')
    while (q.length === 0) clock.advance(1)
    delays.push(clock.now() - start)
    await q.get()
    q.done('a')
  }
  assert.equal(delays, [10, 20, 35, 35])
  q.forget('a')
  q.addRateLimited('a')
  clock.advance(10)
  assert.is(q.length, 1)
})

test('addAfter: the earliest pending time wins; shutDown ends waiting gets', async () => {
  const clock = new FakeClock()
  const q = new WorkQueue(clock)
  q.addAfter('a', 100)
  q.addAfter('a', 50)
  q.addAfter('a', 80)
  clock.advance(50)
  assert.is(q.length, 1)
  assert.is(await q.get(), 'a')
  const waiting = q.get()
  q.shutDown()
  assert.is(await waiting, undefined)
})

test.run()
