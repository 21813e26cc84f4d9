import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Pod } from '../../api/index.ts'
import { isShoalError, UnavailableError } from '../../core/index.ts'
import { podLogs, type LogOptions, type LogSource } from './pod-logs.ts'

const pod = (containers: string[], nodeName?: string): Pod => ({
  metadata: { name: 'web', namespace: 'shop' },
  spec: { containers: containers.map((name) => ({ name, image: 'x' })), nodeName },
})

/** a node that answers `lines`, remembering what it was asked and whether the reader left */
function source(lines: string[], fail?: Error) {
  const asked: [string, LogOptions][] = []
  let returned = false
  const s: LogSource = {
    requestLogs(node, opts) {
      asked.push([node, opts])
      const it = lines[Symbol.iterator]()
      return {
        ready: () => (fail ? Promise.reject(fail) : Promise.resolve()),
        next: () => Promise.resolve(it.next() as IteratorResult<string>),
        return: () => {
          returned = true
          return Promise.resolve({ value: undefined, done: true as const })
        },
        [Symbol.asyncIterator]() {
          return this
        },
      }
    },
  }
  return { s, asked, returned: () => returned }
}

const q = (s: string) => new URLSearchParams(s)
const now = Date.parse('2026-01-01T12:00:00Z')

test("the node's lines, as text; kubectl's options become the request", async () => {
  const src = source(['a\n', 'b\n'])
  const res = await podLogs(src.s, () => now)(
    pod(['app'], 'pi-1'),
    q('tailLines=5&sinceTime=2026-01-01T11:00:00Z&previous=true&timestamps=true&follow=false'),
  )
  assert.is(res.headers.get('content-type'), 'text/plain; charset=utf-8')
  assert.is(await res.text(), 'a\nb\n')
  assert.equal(src.asked, [
    [
      'pi-1',
      {
        namespace: 'shop',
        pod: 'web',
        container: 'app',
        tailLines: 5,
        sinceSeconds: 3600,
        previous: true,
        timestamps: true,
      },
    ],
  ])
})

test('limitBytes cuts the stream and lets the node go', async () => {
  const src = source(['hello\n', 'world\n', 'more\n'])
  const res = await podLogs(src.s)(pod(['app'], 'pi-1'), q('limitBytes=8'))
  assert.is(await res.text(), 'hello\nwo')
  assert.ok(src.returned())
})

test('refused before asking any node, with words kubectl users know', async () => {
  const cases: [Pod, string, RegExp][] = [
    [pod(['app']), '', /pod web is not scheduled to a node yet/],
    [
      pod(['a', 'b'], 'pi-1'),
      '',
      /a container name must be specified for pod web, choose one of: \[a b\]/,
    ],
    [pod(['a'], 'pi-1'), 'container=z', /container z is not valid for pod web/],
    [pod(['a'], 'pi-1'), 'sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z', /at most one of/],
    [pod(['a'], 'pi-1'), 'tailLines=-1', /tailLines: Invalid value/],
    [pod(['a'], 'pi-1'), 'sinceSeconds=0', /sinceSeconds: Invalid value/],
    [pod(['a'], 'pi-1'), 'follow=maybe', /follow: Invalid value/],
  ]
  for (const [p, query, re] of cases) {
    const src = source([])
    try {
      await podLogs(src.s)(p, q(query))
      assert.unreachable(query)
    } catch (err) {
      assert.ok(isShoalError(err, 'BadRequest'), String(err))
      assert.match((err as Error).message, re)
    }
    assert.equal(src.asked, [], query)
  }
})

test("the node's failure to answer is the response's error", async () => {
  const src = source([], new UnavailableError('transport: node pi-1 is not connected'))
  try {
    await podLogs(src.s)(pod(['app'], 'pi-1'), q(''))
    assert.unreachable()
  } catch (err) {
    assert.ok(isShoalError(err, 'Unavailable'))
  }
})

test.run()
