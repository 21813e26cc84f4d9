import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { callBudget, defaultServiceCallMs, unlimitedFuel } from './fuel-budget.ts'

test('fuel = deadline × CPU fraction × rate', () => {
  assert.equal(callBudget('http', { requestTimeoutMs: 100, cpuMillis: 500 }, 1000), {
    fuelPerCall: 50_000n,
    callBudgetMs: 100,
  })
  assert.equal(callBudget('handler', { requestTimeoutMs: 100 }, 1000), {
    fuelPerCall: 100_000n,
    callBudgetMs: 100,
  })
  assert.equal(
    callBudget('http', { requestTimeoutMs: 100, cpuMillis: 4000 }, 1000).fuelPerCall,
    100_000n,
    'more than a core counts as one',
  )
})

test('services get a default deadline, commands without one run unbounded', () => {
  assert.is(callBudget('http', {}).callBudgetMs, defaultServiceCallMs)
  assert.equal(callBudget('command', {}), { fuelPerCall: unlimitedFuel, callBudgetMs: Infinity })
  assert.is(callBudget('command', { requestTimeoutMs: 10 }, 1).fuelPerCall, 10n)
})

test.run()
