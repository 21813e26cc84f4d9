// Watches that fail before their stream starts, served by Node over a real socket (the path
// where an error once went out as an empty 200): each bad input is a Status with its code,
// reason and message; a compacted resourceVersion is 410 Expired; one the store has not reached
// is waited for, then 504 Timeout, unless it arrives in time. After the stream started, an
// error is an ERROR event and the end of the stream.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CompactedError } from '../../core/index.ts'
import { openRouteFixture, type RouteFixture } from './route-fixture.ts'
import { serveApi, type RunningServer } from './serve.ts'
import { openWatches } from './watch-stream.ts'

const CMS = '/api/v1/namespaces/default/configmaps'

async function served(
  run: (f: RouteFixture, server: RunningServer) => Promise<void>,
): Promise<void> {
  const f = await openRouteFixture('watch-start')
  const server = await serveApi(f.app.fetch, { host: '127.0.0.1', port: 0 })
  const errors: unknown[][] = []
  const consoleError = console.error
  console.error = (...args: unknown[]) => void errors.push(args) // where the Node adapter reports ERR_HTTP_HEADERS_SENT
  try {
    await run(f, server)
    assert.equal(errors, [], 'nothing went wrong writing the responses')
  } finally {
    console.error = consoleError
    await server.close(100)
    await f.close()
  }
}

const create = async (f: RouteFixture, name: string, resource = 'configmaps') => {
  const r = await f.request('POST', `/api/v1/namespaces/default/${resource}`, {
    metadata: { name },
    data: {},
  })
  assert.is(r.status, 201, r.text)
}

const badInputs: [string, string, string | RegExp][] = [
  [
    'resourceVersion=abc',
    'a resourceVersion that is not a number',
    'resourceVersion: Invalid value: "abc": must be a non-negative integer',
  ],
  [
    'resourceVersion=-5',
    'a negative resourceVersion',
    'resourceVersion: Invalid value: "-5": must be a non-negative integer',
  ],
  [
    'resourceVersion=99999999999999999999',
    'a resourceVersion past uint64',
    'resourceVersion: Invalid value: "99999999999999999999": out of range (the largest resourceVersion is 18446744073709551615)',
  ],
  [
    'labelSelector=a%3D%3D%3Db',
    'a label selector that does not parse',
    /^unable to parse requirement: .*"a===b"/,
  ],
  [
    'fieldSelector=spec.foo%3Dx',
    'an unknown field selector',
    'field label not supported: spec.foo',
  ],
]

for (const [query, what, message] of badInputs) {
  test(`watch with ${what} (${query}): 400 BadRequest naming it, nothing streamed`, () =>
    served(async (_f, server) => {
      const res = await fetch(`${server.url}${CMS}?watch=1&${query}`)
      assert.is(res.status, 400)
      assert.is(res.headers.get('content-type'), 'application/json')
      const s = await res.json()
      assert.equal([s.kind, s.status, s.reason, s.code], ['Status', 'Failure', 'BadRequest', 400])
      if (typeof message === 'string') assert.is(s.message, message)
      else assert.match(s.message, message)
      assert.is(openWatches(), 0)
    }))
}

test('watch from a compacted resourceVersion: 410 Expired, "too old resource version", before any header', () =>
  served(async (f, server) => {
    await create(f, 'a')
    const rv = Number((await f.request('GET', CMS)).json.metadata.resourceVersion)
    for (const n of ['b', 'c', 'd']) await create(f, n)
    await f.store.compact(f.store.revision)
    const res = await fetch(`${server.url}${CMS}?watch=1&resourceVersion=${rv}`)
    assert.is(res.status, 410)
    const s = await res.json()
    assert.equal(
      [s.reason, s.code, s.message],
      ['Expired', 410, `too old resource version: ${rv} (${f.store.revision - 1})`],
    )
  }))

test('a list continuing from a compacted revision is 410 Expired as well', () =>
  served(async (f, server) => {
    for (const n of ['a', 'b', 'c']) await create(f, n)
    const page = await (await fetch(`${server.url}${CMS}?limit=1`)).json()
    await create(f, 'd')
    await f.store.compact(f.store.revision)
    const res = await fetch(`${server.url}${CMS}?limit=1&continue=${page.metadata.continue}`)
    assert.equal([res.status, (await res.json()).reason], [410, 'Expired'])
  }))

test('watch from a resourceVersion the store never reaches: waits 3 s, then 504 Timeout "Too large resource version"', () =>
  served(async (f, server) => {
    const current = f.store.revision
    const t0 = performance.now()
    const res = await fetch(`${server.url}${CMS}?watch=1&resourceVersion=${current + 1000}`)
    const waited = performance.now() - t0
    assert.is(res.status, 504)
    assert.ok(waited >= 2900, `answered after ${Math.round(waited)} ms`)
    assert.equal(await res.json(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `Timeout: Too large resource version: ${current + 1000}, current: ${current}`,
      reason: 'Timeout',
      details: {
        causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
        retryAfterSeconds: 1,
      },
      code: 504,
    })
    assert.is(openWatches(), 0)
  }))

test('watch from a resourceVersion that arrives within the wait: the stream starts then, with the events after it', () =>
  served(async (f, server) => {
    const rv = f.store.revision + 2
    const t0 = performance.now()
    const opened = fetch(`${server.url}${CMS}?watch=1&resourceVersion=${rv}&timeoutSeconds=1`)
    await new Promise((r) => setTimeout(r, 300))
    await create(f, 'before', 'secrets') // revision rv - 1: not in this watch's range either
    await create(f, 'at-rv') // revision rv: the client has seen it, so it is not sent
    const res = await opened
    assert.is(res.status, 200)
    assert.ok(
      performance.now() - t0 < 2500,
      'answered once the revision arrived, not at the end of the wait',
    )
    await create(f, 'after')
    const events = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    assert.equal(
      events.map((e) => [
        e.type,
        e.object.metadata.name,
        Number(e.object.metadata.resourceVersion),
      ]),
      [['ADDED', 'after', rv + 1]],
    )
  }))

test('compaction that overtakes a running watch: an ERROR event (410 Expired), then the stream ends', () =>
  served(async (f, server) => {
    const cancels: ((err: Error) => void)[] = []
    const watch = f.store.watch.bind(f.store)
    // the store cancels a watcher that compaction overtook; here it is told to, at a known point
    f.store.watch = (select, options, handlers) => {
      cancels.push((err) => handlers.onCancel?.(err))
      return watch(select, options, handlers)
    }
    const res = await fetch(`${server.url}${CMS}?watch=1&resourceVersion=${f.store.revision}`)
    assert.is(res.status, 200)
    await create(f, 'seen')
    const seen = f.store.revision
    await new Promise((r) => setTimeout(r, 100))
    cancels[0](new CompactedError('store', seen + 1, seen + 10))
    const events = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    assert.equal(
      events.map((e) => e.type),
      ['ADDED', 'ERROR'],
    )
    assert.equal(events[1].object, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `too old resource version: ${seen} (${seen + 9})`,
      reason: 'Expired',
      code: 410,
    })
    assert.is(openWatches(), 0)
  }))

test.run()
