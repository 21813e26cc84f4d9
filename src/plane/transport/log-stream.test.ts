import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { LogStream, MAX_BUFFERED_BYTES } from './log-stream.ts'

test('lines in order, then done; return() while waiting ends at once and cancels', async () => {
  const stops: boolean[] = []
  const s = new LogStream(
    () => Promise.resolve(),
    (cancel) => stops.push(cancel),
  )
  s.push(['a\n', 'b\n'])
  s.end()
  const got: string[] = []
  for await (const l of s) got.push(l)
  assert.equal(got, ['a\n', 'b\n'])
  assert.equal(stops, [false])

  const waiting = new LogStream(
    () => Promise.resolve(),
    (cancel) => stops.push(cancel),
  )
  waiting.answered()
  await waiting.ready()
  const next = waiting.next()
  await waiting.return()
  assert.equal(await next, { value: undefined, done: true })
  assert.equal(stops, [false, true])
})

test('a reader that falls too far behind gets an error after the lines it has, and the request is cancelled', async () => {
  const stops: boolean[] = []
  const s = new LogStream(
    () => Promise.resolve(),
    (cancel) => stops.push(cancel),
  )
  const line = 'x'.repeat(1 << 20)
  for (let i = 0; i * line.length <= MAX_BUFFERED_BYTES; i++) s.push([line])
  assert.equal(stops, [true])
  let lines = 0
  try {
    for await (const _ of s) lines++
    assert.unreachable('should fail')
  } catch (err) {
    assert.match((err as Error).message, /fell more than 16 MiB behind/)
  }
  assert.is(lines, 17)
})

test('ready() throws what the start threw', async () => {
  const s = new LogStream(
    () => Promise.reject(new Error('not connected')),
    () => {},
  )
  try {
    await s.ready()
    assert.unreachable()
  } catch (err) {
    assert.match((err as Error).message, /not connected/)
  }
})

test.run()
