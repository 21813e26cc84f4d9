import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { LogBuffer } from './log-buffer.ts'
import type { LogLine } from './types.ts'

const bytes = (text: string) => new TextEncoder().encode(text)

function collect(iter: AsyncIterable<string>): Promise<string[]> {
  return (async () => {
    const out: string[] = []
    for await (const line of iter) out.push(line)
    return out
  })()
}

test('splits writes into lines per stream, joining partial writes', async () => {
  const sunk: LogLine[] = []
  const log = new LogBuffer(10, (l) => sunk.push(l))
  log.write('stdout', 1000, bytes('hel'))
  log.write('stderr', 1001, bytes('oops\n'))
  log.write('stdout', 1002, bytes('lo\r\nworld\npart'))
  log.close(1003)
  assert.equal(await collect(log.read()), ['oops', 'hello', 'world', 'part'])
  assert.equal(
    sunk.map((l) => l.stream),
    ['stderr', 'stdout', 'stdout', 'stdout'],
  )
})

test('keeps only the last N lines; tailLines and timestamps', async () => {
  const log = new LogBuffer(3, () => undefined)
  for (let i = 0; i < 5; i++)
    log.write('stdout', Date.UTC(2026, 0, 1, 0, 0, i), bytes(`line ${i}\n`))
  assert.equal(await collect(log.read()), ['line 2', 'line 3', 'line 4'])
  assert.equal(await collect(log.read({ tailLines: 1, timestamps: true })), [
    '2026-01-01T00:00:04.000Z stdout line 4',
  ])
})

test('follow yields new lines until the log is closed', async () => {
  const log = new LogBuffer(100, () => undefined)
  log.write('stdout', 1, bytes('a\n'))
  const reading = collect(log.read({ follow: true }))
  await new Promise((r) => setTimeout(r, 5))
  log.write('stdout', 2, bytes('b\nc\n'))
  await new Promise((r) => setTimeout(r, 5))
  log.write('stderr', 3, bytes('d'))
  log.close()
  assert.equal(await reading, ['a', 'b', 'c', 'd'])
})

test('an endless line is cut into pieces instead of growing without bound', async () => {
  const log = new LogBuffer(10, () => undefined)
  log.write('stdout', 1, bytes('x'.repeat(20_000)))
  const lines = await collect(log.read())
  assert.is(lines.length, 1)
  assert.is(lines[0]!.length, 20_000)
})

test.run()
