// Lessor on its own (src/plane/store/lessor.ts), on a fake clock: grant, keep-alive, expiry,
// revoke, the keys attached to a lease, and the restart rule (every lease gets its full TTL).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { FakeClock } from '../../src/core/index.ts'
import { Lessor } from '../../src/plane/store/lessor.ts'

function fixture() {
  const clock = new FakeClock(0)
  const expired: [number, number][] = []
  const lessor = new Lessor(clock, (id) => expired.push([id, clock.now()]))
  return { clock, expired, lessor }
}

test('a granted lease expires once its TTL has passed, and only once', () => {
  const { clock, expired, lessor } = fixture()
  lessor.start()
  lessor.grant(1, 10)
  assert.ok(lessor.has(1))
  clock.advance(9_999)
  assert.equal(expired, [])
  clock.advance(1)
  assert.equal(expired, [[1, 10_000]])
  clock.advance(60_000)
  assert.equal(expired, [[1, 10_000]], 'not again')
  assert.ok(lessor.has(1), 'the store revokes an expired lease through the log, not the lessor')
})

test('keep-alive restarts the countdown; remaining counts whole seconds up', () => {
  const { clock, expired, lessor } = fixture()
  lessor.start()
  lessor.grant(3, 10)
  assert.equal(lessor.status(3), { id: 3, ttl: 10, remaining: 10, keys: [] })
  clock.advance(6_500)
  assert.is(lessor.status(3)!.remaining, 4)
  assert.ok(lessor.keepAlive(3))
  assert.is(lessor.status(3)!.remaining, 10)
  clock.advance(9_000)
  assert.equal(expired, [], 'the old deadline (10 s) has passed without expiry')
  clock.advance(1_000)
  assert.equal(expired, [[3, 16_500]])
  assert.is(lessor.status(3)!.remaining, 0)
})

test('keep-alive of an unknown lease is false; its status is undefined', () => {
  const { lessor } = fixture()
  lessor.start()
  assert.is(lessor.keepAlive(42), false)
  assert.is(lessor.status(42), undefined)
})

test('revoke forgets the lease and its timer: no expiry follows', () => {
  const { clock, expired, lessor } = fixture()
  lessor.start()
  lessor.grant(1, 5)
  lessor.attach(1, 'a')
  lessor.revoke(1)
  clock.advance(10_000)
  assert.equal(expired, [])
  assert.is(lessor.has(1), false)
  assert.equal(lessor.keys(1), [])
  assert.equal(lessor.list(), [])
})

test('keys: attach and detach, listed in key order; granting the id again keeps them', () => {
  const { lessor } = fixture()
  lessor.grant(1, 30)
  lessor.attach(1, 'pods/b')
  lessor.attach(1, 'pods/a')
  lessor.attach(1, 'pods/c')
  lessor.detach(1, 'pods/c')
  lessor.attach(99, 'nowhere') // no such lease: ignored
  assert.equal(lessor.keys(1), ['pods/a', 'pods/b'])
  assert.equal(lessor.keys(99), [])
  lessor.grant(1, 60)
  assert.equal(lessor.keys(1), ['pods/a', 'pods/b'])
  assert.equal(lessor.list(), [{ id: 1, ttl: 60 }])
})

test('granting an existing id again replaces its TTL and restarts it', () => {
  const { clock, expired, lessor } = fixture()
  lessor.start()
  lessor.grant(1, 10)
  clock.advance(5_000)
  lessor.grant(1, 20)
  clock.advance(19_999)
  assert.equal(expired, [], 'neither the first deadline nor the new one yet')
  clock.advance(1)
  assert.equal(expired, [[1, 25_000]])
})

test('before start (replay) nothing expires and remaining is the full TTL; start gives every lease its full TTL', () => {
  const { clock, expired, lessor } = fixture()
  lessor.grant(1, 10)
  lessor.grant(2, 20)
  clock.advance(60_000)
  assert.equal(expired, [])
  assert.is(lessor.status(1)!.remaining, 10)
  lessor.start()
  clock.advance(10_000)
  assert.equal(expired, [[1, 70_000]])
  clock.advance(10_000)
  assert.equal(expired, [
    [1, 70_000],
    [2, 80_000],
  ])
})

test('stop cancels every timer; a start after it counts each TTL from then', () => {
  const { clock, expired, lessor } = fixture()
  lessor.start()
  lessor.grant(1, 10)
  clock.advance(8_000)
  lessor.stop()
  clock.advance(30_000)
  assert.equal(expired, [])
  lessor.start()
  clock.advance(9_999)
  assert.equal(expired, [])
  clock.advance(1)
  assert.equal(expired, [[1, 48_000]])
})

test('nextId: past every granted id, and never moved back', () => {
  const { lessor } = fixture()
  assert.is(lessor.nextId, 1)
  lessor.grant(7, 10)
  assert.is(lessor.nextId, 8)
  lessor.grant(3, 10)
  assert.is(lessor.nextId, 8)
  lessor.nextId = 5
  assert.is(lessor.nextId, 8)
  lessor.nextId = 20
  assert.is(lessor.nextId, 20)
})

test.run()
