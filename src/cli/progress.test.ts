import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { formatBytes, progressBar } from './progress.ts'
import type { Io } from './context.ts'

function capture() {
  let err = ''
  const io: Io = { out: () => {}, err: (t) => void (err += t), stdin: async () => '', env: {} }
  return { io, err: () => err }
}

test('sizes as docker prints them', () => {
  assert.equal([0, 628, 21_068, 999_999, 12_999_551, 128 * 2 ** 20].map(formatBytes), [
    '0B',
    '628B',
    '21.1kB',
    '1000kB',
    '13.0MB',
    '134MB',
  ])
})

test('no terminal: one line at each tenth reached, 0% first and 100% last', () => {
  const c = capture()
  const bar = progressBar(c.io, { label: 'app:1', total: 1000, tty: false })
  for (const n of [50, 100, 150, 420, 1000]) bar.update(n)
  bar.finish()
  assert.equal(
    c
      .err()
      .trimEnd()
      .split('\n')
      .map((l) => l.replace(/\[.*\]/, '[]')),
    [
      'app:1 []   0%  0B/1.00kB',
      'app:1 []  10%  100B/1.00kB',
      'app:1 []  42%  420B/1.00kB',
      'app:1 [] 100%  1.00kB/1.00kB',
    ],
  )
})

test('a terminal: redrawn in place at most every 100 ms, the last value always, then a newline', () => {
  const c = capture()
  let t = 0
  const bar = progressBar(c.io, { label: 'a', total: 100, tty: true, now: () => t })
  bar.update(10) // within 100 ms of the first draw: skipped
  t = 150
  bar.update(50)
  bar.update(60) // skipped
  bar.finish()
  const draws = c.err().split('\r').slice(1)
  assert.equal(
    draws.map((d) => /(\d+)%/.exec(d)![1]),
    ['0', '50', '60'],
  )
  assert.ok(draws.every((d) => d.includes('\x1b[K')))
  assert.ok(c.err().endsWith('60B/100B\x1b[K\n'))
  assert.ok(draws[1].includes(`[${'='.repeat(15)}>${' '.repeat(14)}]`))
})

test.run()
