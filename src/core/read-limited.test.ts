// readLimited: chunks joined up to the limit; one byte past it is TooLarge and the stream is cancelled.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readLimited } from './read-limited.ts'

function stream(chunks: number[][]): { body: ReadableStream<Uint8Array>; cancelled(): boolean } {
  let cancelled = false
  const queue = chunks.map((c) => Uint8Array.from(c))
  const body = new ReadableStream<Uint8Array>(
    {
      pull: (c) => (queue.length ? c.enqueue(queue.shift()!) : c.close()),
      cancel: () => void (cancelled = true),
    },
    { highWaterMark: 0 },
  )
  return { body, cancelled: () => cancelled }
}

test('chunks are joined; exactly the limit is read; no body is empty', async () => {
  assert.equal(
    await readLimited(stream([[1, 2], [3], [4, 5]]).body, { limit: 5, tooLarge: 'big' }),
    Uint8Array.of(1, 2, 3, 4, 5),
  )
  assert.equal(await readLimited(null, { limit: 5, tooLarge: 'big' }), new Uint8Array(0))
})

test('past the limit: TooLarge with the given message, the rest unread and the stream cancelled', async () => {
  const s = stream([[1, 2, 3], [4, 5, 6], [7]])
  const err = await readLimited(s.body, { limit: 5, tooLarge: 'x: over 5 bytes' }).catch((e) => e)
  assert.equal([err.code, err.message], ['TooLarge', 'x: over 5 bytes'])
  await new Promise((r) => setTimeout(r))
  assert.ok(s.cancelled())
})

test.run()
