import { spawnSync } from 'node:child_process'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { boundHeapGrowth, heapFlagGiven } from './heap-growth.ts'

test('a heap flag the operator gave, on the command line or in NODE_OPTIONS, wins', () => {
  assert.ok(heapFlagGiven(['--max-old-space-size=256'], undefined))
  assert.ok(heapFlagGiven([], '--enable-source-maps --heap-growing-percent=20'))
  assert.ok(heapFlagGiven(['--max_old_space_size=100'], ''))
  assert.ok(heapFlagGiven([], '--optimize-for-size'))
  assert.not.ok(
    heapFlagGiven(['--enable-source-maps', '--import', 'tsx'], '--max-http-header-size=1'),
  )
  const set: string[] = []
  const given = boundHeapGrowth({
    execArgv: [],
    nodeOptions: '--max-old-space-size=512',
    setFlags: (f) => set.push(f),
  })
  assert.is(given, undefined)
  assert.equal(set, [])
})

test('otherwise the growth is bounded: the flag is set', () => {
  const set: string[] = []
  assert.is(
    boundHeapGrowth({ execArgv: [], nodeOptions: '', setFlags: (f) => set.push(f) }),
    '--heap-growing-percent=50',
  )
  assert.equal(set, ['--heap-growing-percent=50'])
})

test('V8 takes the flag at run time: a process whose medium-lived garbage outgrows its live set keeps a smaller heap', () => {
  // the same allocation pattern in two processes, with and without the bound set at run time;
  // compared in one run (memory, not time)
  const script = `
    const v8 = require('node:v8')
    if (process.argv[1] === 'bound') v8.setFlagsFromString('--heap-growing-percent=20')
    const live = []
    for (let i = 0; i < 300000; i++) live.push({ a: 'x' + i, b: [i] })
    const ring = new Array(100000)
    let peak = 0
    for (let r = 0; r < 2000000; r++) {
      ring[r % ring.length] = { a: 'y' + r, b: [r] }
      if (r % 20000 === 0) peak = Math.max(peak, v8.getHeapStatistics().total_heap_size)
    }
    console.log(peak)`
  const peak = (mode: string) =>
    Number(spawnSync(process.execPath, ['-e', script, mode], { encoding: 'utf8' }).stdout.trim())
  const free = peak('free')
  const bound = peak('bound')
  assert.ok(free > 0 && bound > 0, `${free} ${bound}`)
  assert.ok(bound < free * 0.9, `heap peak bound ${bound} B against ${free} B`)
})

test.run()
