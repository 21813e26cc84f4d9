import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFileSync } from 'node:child_process'
import { FakeClock, systemClock } from './clock.ts'

test('a fake clock stands still until advanced, from the start it was given', () => {
  assert.is(new FakeClock().now(), 1_700_000_000_000)
  const c = new FakeClock(5_000)
  assert.is(c.now(), 5_000)
  assert.is(c.now(), 5_000)
  c.advance(250)
  assert.is(c.now(), 5_250)
})

test('advance fires the timers due by its end, in due order, each at its own time', () => {
  const c = new FakeClock(0)
  const fired: [string, number][] = []
  c.setTimeout(() => fired.push(['c', c.now()]), 300)
  c.setTimeout(() => fired.push(['a', c.now()]), 100)
  c.setTimeout(() => fired.push(['b', c.now()]), 200)
  c.setTimeout(() => fired.push(['late', c.now()]), 301)
  c.advance(300)
  assert.equal(fired, [
    ['a', 100],
    ['b', 200],
    ['c', 300],
  ])
  assert.is(c.now(), 300)
  c.advance(1)
  assert.equal(fired.at(-1), ['late', 301])
})

test('timers due at the same time fire in the order they were set; a negative delay is 0', () => {
  const c = new FakeClock(0)
  const fired: string[] = []
  c.setTimeout(() => fired.push('first'), 10)
  c.setTimeout(() => fired.push('second'), 10)
  c.setTimeout(() => fired.push('now'), -5)
  c.advance(0)
  assert.equal(fired, ['now'])
  c.advance(10)
  assert.equal(fired, ['now', 'first', 'second'])
})

test('a cancelled timer never fires; cancelling twice or after firing is harmless', () => {
  const c = new FakeClock(0)
  const fired: string[] = []
  const t = c.setTimeout(() => fired.push('cancelled'), 50)
  const kept = c.setTimeout(() => fired.push('kept'), 50)
  t.cancel()
  t.cancel()
  c.advance(100)
  kept.cancel()
  c.advance(100)
  assert.equal(fired, ['kept'])
})

test('a timer set while advancing fires in the same advance when it falls due within it', () => {
  const c = new FakeClock(0)
  const ticks: number[] = []
  const tick = () => {
    ticks.push(c.now())
    c.setTimeout(tick, 40)
  }
  c.setTimeout(tick, 40)
  c.advance(130)
  assert.equal(ticks, [40, 80, 120])
  assert.is(c.now(), 130)
})

test('the system clock reads wall-clock time and its timers fire unless cancelled', async () => {
  const before = Date.now()
  const now = systemClock.now()
  assert.ok(now >= before && now <= Date.now())
  const fired: string[] = []
  const cancelled = systemClock.setTimeout(() => fired.push('cancelled'), 1)
  cancelled.cancel()
  // its timers are unref'd: a ref'd one keeps this process alive until they are due
  const keepAlive = setTimeout(() => {}, 1_000)
  await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 5))
  clearTimeout(keepAlive)
  assert.equal(fired, [])
})

test('a pending system-clock timer does not keep the process alive', () => {
  const script = `import('${new URL('./clock.ts', import.meta.url).href}').then(({ systemClock }) => {
    systemClock.setTimeout(() => process.exit(3), 3_600_000)
  })`
  // exits 0 once nothing else is pending (a held process would be killed by the timeout)
  execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { timeout: 60_000 })
})

test.run()
