import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  formatCpu,
  formatMemory,
  isQuantity,
  parseCpu,
  parseMemory,
  parseQuantity,
} from './quantity.ts'

test('cpu parses to millicores, rounding up', () => {
  assert.is(parseCpu('100m'), 100)
  assert.is(parseCpu('0.5'), 500)
  assert.is(parseCpu('2'), 2000)
  assert.is(parseCpu(2), 2000)
  assert.is(parseCpu(0.1), 100)
  assert.is(parseCpu('0.1'), 100)
  assert.is(parseCpu('1.0001'), 1001)
  assert.is(parseCpu('500u'), 1)
  assert.is(parseCpu('.5'), 500)
  assert.is(parseCpu('1k'), 1_000_000)
})

test('memory parses to bytes with binary, decimal and exponent suffixes', () => {
  assert.is(parseMemory('64Mi'), 67108864)
  assert.is(parseMemory('1G'), 1e9)
  assert.is(parseMemory('128974848'), 128974848)
  assert.is(parseMemory('129e6'), 129000000)
  assert.is(parseMemory('129E6'), 129000000)
  assert.is(parseMemory('123Mi'), 128974848)
  assert.is(parseMemory('1.5Gi'), 1610612736)
  assert.is(parseMemory('1e3'), 1000)
  assert.is(parseMemory('0'), 0)
})

test('invalid quantities are undefined', () => {
  for (const bad of ['', 'abc', '1K', '1Mb', '1.2.3', 'm', '--1', '1 Mi', 'Infinity'])
    assert.is(parseMemory(bad), undefined, bad)
  assert.is(parseCpu(Number.NaN), undefined)
  assert.not.ok(isQuantity('10x'))
  assert.ok(isQuantity('-1'))
  assert.ok(isQuantity(3))
})

test('parseQuantity gives base units as a float, negatives included', () => {
  assert.is(parseQuantity('100m'), 0.1)
  assert.is(parseQuantity('110'), 110)
  assert.is(parseQuantity('-2Ki'), -2048)
  assert.is(parseCpu('-100m'), -100)
})

test('formatting returns the canonical short forms', () => {
  assert.is(formatCpu(2000), '2')
  assert.is(formatCpu(250), '250m')
  assert.is(formatMemory(67108864), '64Mi')
  assert.is(formatMemory(1000), '1000')
  assert.is(formatMemory(0), '0')
})

test.run()
