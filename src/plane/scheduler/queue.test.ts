// The scheduling queue on a fake clock: order, back-off doubling to its cap, unschedulable pods
// waiting for a cluster event (or their longest wait), and a failure during an event.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { FakeClock } from '../../core/index.ts'
import type { Pod } from '../../api/index.ts'
import { SchedulingQueue } from './queue.ts'

const pod = (name: string): Pod => ({ metadata: { name }, spec: { containers: [] } })
const keys = (q: SchedulingQueue) => q.pop(100).map((p) => p.key)

function queue() {
  const clock = new FakeClock()
  let ready = 0
  const q = new SchedulingQueue({ clock, onReady: () => ready++, maxUnschedulableMs: 60_000 })
  return { q, clock, ready: () => ready }
}

test('pods come out in the order they came, each once', () => {
  const { q, ready } = queue()
  q.add('a', pod('a'))
  q.add('b', pod('b'))
  q.add('a', pod('a')) // an update: same place
  assert.is(ready(), 1)
  assert.equal(keys(q), ['a', 'b'])
  assert.equal(keys(q), [])
  assert.is(q.size, 2) // in flight until done or failed
  q.done('a')
  q.done('b')
  assert.is(q.size, 0)
})

test('an error backs off 1 s, 2 s, 4 s … at most 10 s', () => {
  const { q, clock } = queue()
  q.add('a', pod('a'))
  const waits: number[] = []
  for (let i = 0; i < 6; i++) {
    keys(q)
    q.failed('a', 'error')
    let waited = 0
    while (!q.pop(1).length) {
      clock.advance(100)
      waited += 100
    }
    waits.push(waited)
  }
  assert.equal(waits, [1000, 2000, 4000, 8000, 10_000, 10_000])
})

test('an unschedulable pod waits for a cluster event, then its back-off', () => {
  const { q, clock } = queue()
  q.add('a', pod('a'))
  keys(q)
  q.failed('a', 'unschedulable')
  clock.advance(30_000)
  assert.equal(keys(q), []) // no event: still waiting
  q.add('a', pod('a'), { changed: false }) // a status write: not a reason to retry
  assert.equal(keys(q), [])
  q.moveAll()
  assert.equal(keys(q), ['a']) // its 1 s back-off has long passed
  q.failed('a', 'unschedulable')
  q.moveAll()
  assert.equal(keys(q), []) // second attempt: 2 s back-off from its failure
  clock.advance(2000)
  assert.equal(keys(q), ['a'])
})

test('a change in the pod itself retries it; the longest wait retries it too', () => {
  const { q, clock } = queue()
  q.add('a', pod('a'))
  keys(q)
  q.failed('a', 'unschedulable')
  clock.advance(5000)
  q.add('a', pod('a'), { changed: true })
  assert.equal(keys(q), ['a'])
  q.failed('a', 'unschedulable')
  clock.advance(59_000)
  assert.equal(keys(q), [])
  clock.advance(1000)
  assert.equal(keys(q), ['a'])
})

test('a pod that fails while an event comes in backs off rather than waits for another', () => {
  const { q, clock } = queue()
  q.add('a', pod('a'))
  keys(q)
  q.moveAll() // a node came while it was being placed
  q.failed('a', 'unschedulable')
  clock.advance(1000)
  assert.equal(keys(q), ['a'])
})

test('a deleted pod is forgotten wherever it was', () => {
  const { q, clock } = queue()
  q.add('a', pod('a'))
  keys(q)
  q.failed('a', 'error')
  q.delete('a')
  clock.advance(20_000)
  assert.equal(keys(q), [])
  assert.is(q.size, 0)
})

test.run()
