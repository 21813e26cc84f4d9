import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { PodStatusUpdate, StatusReport } from '../api/index.ts'
import { FakeClock, memoryLogger } from '../core/index.ts'
import { StatusQueue } from './status-queue.ts'

function queue(saved: PodStatusUpdate[] = [], window = 1, saveDelayMs?: number) {
  const clock = new FakeClock(0)
  const sent: StatusReport[] = []
  const saves: string[][] = []
  let up = true
  const q = new StatusQueue(
    {
      send: (r) => up && sent.push(r) > 0,
      save: async (updates) => void saves.push(updates.map((u) => `${u.name}:${u.status.phase}`)),
      clock,
      resendMs: 1000,
      batchMs: 10,
      idPrefix: 'b',
      log: memoryLogger(),
      maxPerReport: 2,
      window,
      saveDelayMs,
    },
    saved,
  )
  return { q, clock, sent, saves, link: (v: boolean) => (up = v) }
}

const update = (name: string, phase: 'Pending' | 'Running' | 'Failed'): PodStatusUpdate => ({
  uid: `u-${name}`,
  namespace: 'default',
  name,
  status: { phase },
})

const carried = (r: StatusReport) => r.pods.map((p) => `${p.name}:${p.status.phase}`)

test('changes within the batch window go in reports of at most maxPerReport pods', () => {
  const { q, clock, sent } = queue()
  q.put(update('a', 'Pending'))
  q.put(update('b', 'Pending'))
  q.put(update('a', 'Running'))
  q.put(update('c', 'Running'))
  q.put(update('c', 'Running')) // the same again: nothing new
  assert.is(sent.length, 0)
  clock.advance(10)
  assert.equal(sent.map(carried), [['a:Running', 'b:Pending'], ['c:Running']])
  assert.equal(
    sent.map((r) => r.id),
    ['b-1', 'b-2'],
  )
})

test('with no report out, a change goes on the next turn, not after the batch window', () => {
  const { q, clock, sent } = queue()
  q.put(update('a', 'Running'))
  assert.is(sent.length, 0) // not inside put: what changes in the same turn goes with it
  q.put(update('b', 'Running'))
  clock.advance(0)
  assert.equal(sent.map(carried), [['a:Running', 'b:Running']])
})

test('while a report awaits its ack, changes gather until the ack or the batch window', () => {
  const { q, clock, sent } = queue()
  q.put(update('a', 'Pending'))
  clock.advance(0)
  q.put(update('a', 'Running'))
  q.put(update('b', 'Pending'))
  clock.advance(5)
  assert.is(sent.length, 1) // b-1 is out: these wait
  q.ack('b-1')
  clock.advance(0)
  assert.equal(sent.map(carried), [['a:Pending'], ['a:Running', 'b:Pending']])
  q.put(update('c', 'Running')) // b-2 not acknowledged: the window applies
  clock.advance(9)
  assert.is(sent.length, 2)
  clock.advance(1)
  assert.equal(sent.map(carried)[2], ['c:Running'])
})

test('within the window, a change goes on the next turn though reports await their acks', () => {
  const { q, clock, sent } = queue([], 2)
  q.put(update('a', 'Running'))
  clock.advance(0)
  q.put(update('b', 'Running')) // a's report is out, the window has room: b does not wait
  clock.advance(0)
  assert.equal(sent.map(carried), [['a:Running'], ['b:Running']])
  q.put(update('c', 'Running')) // two reports out: the window is full
  q.put(update('d', 'Running'))
  clock.advance(5)
  assert.is(sent.length, 2)
  q.ack('b-1') // room again: what gathered goes in one report
  clock.advance(0)
  assert.equal(sent.map(carried)[2], ['c:Running', 'd:Running'])
  assert.equal(
    q.pending().map((u) => u.name),
    ['b', 'c', 'd'],
  )
})

test('an ack drops what its report carried, unless the status changed since', () => {
  const { q, clock, sent } = queue()
  q.put(update('a', 'Pending'))
  q.put(update('b', 'Pending'))
  clock.advance(10)
  q.put(update('b', 'Running'))
  q.ack('b-1')
  assert.equal(
    q.pending().map((u) => u.name),
    ['b'],
  )
  clock.advance(10)
  assert.equal(carried(sent.at(-1)!), ['b:Running'])
  q.ack(sent.at(-1)!.id)
  assert.equal(q.pending(), [])
})

test('unacknowledged statuses go again after resendMs and on resendAll; none while the link is down', () => {
  const { q, clock, sent, link } = queue()
  link(false)
  q.put(update('a', 'Running'))
  clock.advance(10)
  assert.is(sent.length, 0)
  link(true)
  q.resendAll()
  assert.is(sent.length, 1)
  clock.advance(500)
  assert.is(sent.length, 1)
  clock.advance(1000)
  assert.is(sent.length, 2, 'the resend timer')
  q.ack(sent[0].id)
  assert.equal(q.pending(), [], 'an ack of an earlier copy is enough')
  q.close()
})

test('the queue is saved after changes and starts from what was saved', async () => {
  const { q, saves } = queue([update('old', 'Failed')])
  assert.equal(
    q.pending().map((u) => u.name),
    ['old'],
  )
  q.put(update('a', 'Running'))
  q.put(update('b', 'Running'))
  await q.saved()
  assert.equal(saves.at(-1), ['old:Failed', 'a:Running', 'b:Running'])
  q.drop('u-old')
  await q.saved()
  assert.equal(saves.at(-1), ['a:Running', 'b:Running'])
})

test('a burst of changes is saved in far fewer writes than changes', async () => {
  const { q, clock, saves } = queue([], 4, 20)
  for (let i = 0; i < 100; i++) {
    q.put(update(`p${i}`, 'Running'))
    if (i % 10 === 9) clock.advance(5) // ten statuses every 5 ms
  }
  await q.saved()
  assert.ok(q.writes <= 6, `${q.writes} writes for 100 statuses`)
  assert.is(saves.at(-1)?.length, 100, 'the last write holds every status')
  q.close()
})

test('a status put and acknowledged before its save leaves the queue as on disk: no write', async () => {
  const { q, clock, sent, saves } = queue([], 4, 20)
  q.put(update('a', 'Running'))
  clock.advance(0)
  q.ack(sent[0].id)
  clock.advance(20)
  await q.saved()
  assert.is(q.writes, 1, 'the save ran')
  assert.equal(saves, [], 'and found nothing to write')
  q.put(update('b', 'Running'))
  clock.advance(20)
  await q.saved()
  assert.equal(saves, [['b:Running']], 'unacknowledged: written')
  q.close()
})

test.run()
