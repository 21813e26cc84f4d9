import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { resourceByKind, type Event } from '../../../api/index.ts'
import { FakeClock, memoryLogger } from '../../../core/index.ts'
import { eventRecorder } from './events.ts'
import { FakeObjects } from './fake-objects.ts'

const PODS = resourceByKind('Pod')!
const EVENTS = resourceByKind('Event')!
const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default', uid: 'uid-web-1' },
  spec: { containers: [] },
}
const settle = () => new Promise((r) => setTimeout(r, 10))

test('a repeated Event raises its count and lastTimestamp; another message is another Event', async () => {
  const fake = new FakeObjects()
  const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'))
  const rec = eventRecorder(fake, { component: 'test', clock, log: memoryLogger() })
  const about = { info: PODS, obj: pod }
  const failed = { type: 'Warning' as const, reason: 'BackOff', message: 'Back-off restarting' }
  rec.event(about, failed)
  clock.advance(10_000)
  rec.event(about, failed) // while the first write may still be under way
  clock.advance(10_000)
  await settle()
  rec.event(about, failed)
  rec.event(about, { ...failed, message: 'something else' })
  await settle()
  const events = fake.all(EVENTS) as unknown as Event[]
  assert.is(events.length, 2)
  const backOff = events.find((e) => e.message === 'Back-off restarting')!
  assert.is(backOff.count, 3)
  assert.is(backOff.firstTimestamp, '2026-01-01T00:00:00Z')
  assert.is(backOff.lastTimestamp, '2026-01-01T00:00:20Z')
  // only the Event's identity and count are remembered between writes: the rest is made again
  assert.ok(backOff.metadata.uid && backOff.metadata.creationTimestamp, 'uid and creation kept')
  assert.match(backOff.metadata.name!, /^web-1\.[0-9a-f]{16}$/)
  assert.equal(backOff.involvedObject, {
    apiVersion: 'v1',
    kind: 'Pod',
    name: 'web-1',
    namespace: 'default',
    uid: 'uid-web-1',
    resourceVersion: undefined,
  })
  assert.equal(
    [backOff.type, backOff.reason, backOff.source],
    ['Warning', 'BackOff', { component: 'test' }],
  )
  assert.equal(
    fake
      .take()
      .filter((w) => w.kind === 'Event')
      .map((w) => w.verb)
      .sort(),
    ['create', 'create', 'update', 'update'],
  )
})

test.run()
