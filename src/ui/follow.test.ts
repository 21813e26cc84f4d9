// follow() without a browser or a plane: a fake fetch answers the list, then a watch stream in
// chunks (an event cut in two), then a 410 Gone inside the stream; the store ends up as the
// events left it, the watch resumes from the last resourceVersion seen and, after the 410, the
// collection is listed afresh. Every request carries the signed-in token.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { follow, nodes, token, type KubeObject } from './stores.ts'

const node = (name: string, rv: string): KubeObject => ({
  kind: 'Node',
  metadata: { name, resourceVersion: rv },
})
const json = (body: unknown) =>
  new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } })
const stream = (chunks: string[]) =>
  new Response(
    new ReadableStream({
      start(c) {
        for (const s of chunks) c.enqueue(new TextEncoder().encode(s))
        c.close()
      },
    }),
  )

test('list, watch in chunks, 410 in the stream: listed again, the store follows every event', async () => {
  const seen: { url: string; auth: string | null }[] = []
  const ac = new AbortController()
  let lists = 0
  const realFetch = globalThis.fetch
  globalThis.fetch = (async (url: string, init: RequestInit) => {
    seen.push({ url, auth: new Headers(init.headers).get('authorization') })
    if (!url.includes('watch=1')) {
      lists++
      return lists === 1
        ? json({
            items: [node('pi-1', '5'), node('pi-2', '5')],
            metadata: { resourceVersion: '5' },
          })
        : json({ items: [node('pi-3', '20')], metadata: { resourceVersion: '20' } })
    }
    if (url.includes('resourceVersion=5')) {
      const added = JSON.stringify({ type: 'ADDED', object: node('pi-4', '6') })
      return stream([
        added.slice(0, 10),
        added.slice(10) +
          '\n' +
          JSON.stringify({ type: 'DELETED', object: node('pi-1', '7') }) +
          '\n',
        JSON.stringify({
          type: 'BOOKMARK',
          object: { metadata: { name: '', resourceVersion: '9' } },
        }) + '\n',
      ])
    }
    if (url.includes('resourceVersion=9'))
      return stream([
        JSON.stringify({
          type: 'ERROR',
          object: { kind: 'Status', code: 410, message: 'too old resource version' },
        }) + '\n',
      ])
    // after the relist: stay open until the test ends
    ac.abort()
    return stream([])
  }) as typeof fetch
  token.set('t0ken')
  const states: string[] = []
  const stop = nodes.state.listen((s) => states.push(s))
  const snapshots: string[][] = []
  const stopObjects = nodes.objects.listen((o) => snapshots.push(Object.keys(o).sort()))
  try {
    await follow(nodes, ac.signal)
  } finally {
    globalThis.fetch = realFetch
    stop()
    stopObjects()
  }
  assert.equal(
    seen.map((s) => s.url),
    [
      '/api/v1/nodes',
      '/api/v1/nodes?watch=1&allowWatchBookmarks=true&resourceVersion=5',
      '/api/v1/nodes?watch=1&allowWatchBookmarks=true&resourceVersion=9',
      '/api/v1/nodes',
      '/api/v1/nodes?watch=1&allowWatchBookmarks=true&resourceVersion=20',
    ],
  )
  assert.ok(seen.every((s) => s.auth === 'Bearer t0ken'))
  assert.equal(snapshots, [['pi-1', 'pi-2'], ['pi-1', 'pi-2', 'pi-4'], ['pi-2', 'pi-4'], ['pi-3']])
  assert.ok(states.includes('live'))
  assert.ok(
    states.some((s) => /reconnecting: too old resource version/.test(s)),
    states.join(),
  )
})

test.run()
