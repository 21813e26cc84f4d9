import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { FakeClock } from '../core/index.ts'
import { ProbeLoop } from './probe-loop.ts'

const tick = () => new Promise((r) => setImmediate(r))

async function run(
  results: (string | undefined | null)[],
  probe: ConstructorParameters<typeof ProbeLoop>[0],
  steps: number,
) {
  const clock = new FakeClock()
  const changes: [boolean, string][] = []
  let i = 0
  const loop = new ProbeLoop(
    probe,
    async () => results[Math.min(i++, results.length - 1)],
    (ok, why) => changes.push([ok, why]),
    clock,
  )
  loop.start()
  for (let s = 0; s < steps; s++) {
    clock.advance(1000)
    await tick()
  }
  loop.stop()
  return { changes, checks: i }
}

test('initial delay, then one check per period', async () => {
  const { checks } = await run([undefined], { initialDelaySeconds: 3, periodSeconds: 2 }, 9)
  assert.is(checks, 4) // at 3, 5, 7, 9 s
})

test('successThreshold passes in a row make it pass; only transitions are reported', async () => {
  const { changes } = await run(
    [undefined, 'x', undefined, undefined, undefined],
    { periodSeconds: 1, successThreshold: 2 },
    6,
  )
  assert.equal(changes, [[true, 'probe passed']])
})

test('failureThreshold failures in a row make it fail, with the last reason', async () => {
  const { changes } = await run(
    [undefined, 'a', 'b', undefined, 'c', 'd', 'e'],
    { periodSeconds: 1, failureThreshold: 3 },
    8,
  )
  assert.equal(changes, [
    [true, 'probe passed'],
    [false, 'e'],
  ])
})

test('a check that cannot tell (the instance moved meanwhile) counts neither way', async () => {
  const { changes } = await run(
    [undefined, 'a', null, 'b', null, null, 'c'],
    { periodSeconds: 1, failureThreshold: 3 },
    8,
  )
  assert.equal(changes, [
    [true, 'probe passed'],
    [false, 'c'],
  ])
})

test.run()
