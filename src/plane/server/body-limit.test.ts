// The body limit without a Content-Length: a chunked body is refused with 413 once it passes
// MAX_BODY_BYTES, on every route that reads a body, without waiting for (or keeping) the rest —
// through app.request() with an endless stream, and on a real socket while the client still sends.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { request } from 'node:http'
import { openRouteFixture, type RouteFixture } from './route-fixture.ts'
import { MAX_BODY_BYTES } from './body.ts'
import { serveApi } from './serve.ts'

const CHUNK = 64 * 1024

/** a JSON-looking body that goes on (it fails at 64 MiB); `pulled` counts the bytes the server asked for */
function endless(): { body: ReadableStream<Uint8Array>; pulled(): number; cancelled(): boolean } {
  let pulled = 0
  let cancelled = false
  const chunk = new Uint8Array(CHUNK).fill(0x20)
  const body = new ReadableStream<Uint8Array>(
    {
      start: (c) => c.enqueue(new TextEncoder().encode('{"metadata":{"name":"x"},"data":{"a":"')),
      pull: (c) =>
        pulled < 64 << 20
          ? ((pulled += CHUNK), c.enqueue(chunk))
          : c.error(new Error('the server read 64 MiB')),
      cancel: () => void (cancelled = true),
    },
    { highWaterMark: 0 },
  )
  return { body, pulled: () => pulled, cancelled: () => cancelled }
}

let f: RouteFixture

test.before.each(async () => {
  f = await openRouteFixture('body-limit', { tokens: true })
  await f.request(
    'POST',
    '/api/v1/namespaces/default/configmaps',
    { metadata: { name: 'x' } },
    { authorization: `Bearer ${f.tokens.admin}` },
  )
  const pod = {
    metadata: { name: 'p' },
    spec: { nodeName: 'pi-1', containers: [{ name: 'c', image: 'i:1' }] },
  }
  await f.request('POST', '/api/v1/namespaces/default/pods', pod, {
    authorization: `Bearer ${f.tokens.admin}`,
  })
})
test.after.each(() => f.close())

test('a body with no Content-Length is a 413 once past the limit, on every route that reads one', async () => {
  const cm = '/api/v1/namespaces/default/configmaps'
  const routes: [string, string, string, string?][] = [
    ['admin', 'POST', cm],
    ['admin', 'PUT', `${cm}/x`],
    ['admin', 'PATCH', `${cm}/x`, 'application/merge-patch+json'],
    ['admin', 'DELETE', `${cm}/x`],
    ['admin', 'DELETE', cm],
    ['admin', 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'],
    ['pi1', 'PUT', '/api/v1/namespaces/default/pods/p/status'], // a node token, its own pod's status
  ]
  for (const [who, method, path, ct] of routes) {
    const s = endless()
    const token = f.tokens[who as keyof RouteFixture['tokens']]
    const res = await f.app.request(path, {
      method,
      body: s.body,
      duplex: 'half',
      headers: { authorization: `Bearer ${token}`, 'content-type': ct ?? 'application/json' },
    } as RequestInit)
    const what = `${method} ${path}`
    assert.is(res.status, 413, what)
    const status = (await res.json()) as { reason: string; message: string }
    assert.is(status.reason, 'RequestEntityTooLarge', what)
    assert.match(status.message, `over the ${MAX_BODY_BYTES}-byte limit`, what)
    assert.ok(s.pulled() <= MAX_BODY_BYTES + 2 * CHUNK, `${what}: read ${s.pulled()} bytes`)
    assert.ok(s.cancelled(), `${what}: the body stream is cancelled`)
  }
  const cmNow = await f.request('GET', `${cm}/x`, undefined, {
    authorization: `Bearer ${f.tokens.admin}`,
  })
  assert.is(cmNow.status, 200, 'nothing was written or deleted')
})

test('on a socket, the 413 arrives while the client is still sending, then the connection is closed', async () => {
  const server = await serveApi(f.app.fetch, { host: '127.0.0.1', port: 0 })
  const limit = 64 * 1024 * 1024 // what the client would send; the 413 must come long before
  let sent = 0
  try {
    const got = await new Promise<{
      status: number
      text: string
      sentBefore: number
      closed: Promise<void>
    }>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port: server.port,
        method: 'PUT',
        path: '/api/v1/namespaces/default/pods/p/status',
        headers: {
          authorization: `Bearer ${f.tokens.pi1}`,
          'content-type': 'application/json',
          'transfer-encoding': 'chunked',
        },
      })
      const closed = new Promise<void>((r) => req.on('close', () => r()))
      req.on('error', () => {}) // the server drops the connection after answering: EPIPE / ECONNRESET
      req.on('response', (res) => {
        const sentBefore = sent
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (d) => (text += d))
        res.on('end', () => resolve({ status: res.statusCode!, text, sentBefore, closed }))
      })
      const chunk = Buffer.alloc(CHUNK, 0x20)
      const pump = () => {
        if (req.destroyed) return
        if (sent >= limit) return reject(new Error(`no answer after ${sent} bytes`))
        sent += CHUNK
        if (req.write(chunk)) setImmediate(pump)
        else req.once('drain', pump)
      }
      req.write('{"metadata":{"name":"p"},"status":{"message":"')
      pump() // and never req.end(): the answer must come while the body is still open
    })
    assert.is(got.status, 413)
    assert.match(got.text, 'RequestEntityTooLarge')
    assert.ok(got.sentBefore < limit, `answered after ${got.sentBefore} of ${limit} bytes`)
    // the rest of the body is not read: the plane closes the connection (@hono/node-server, ≤ 0.5 s)
    const late = new Promise((_, reject) =>
      setTimeout(
        () => reject(new Error('the connection is still open after 10 s')),
        10_000,
      ).unref(),
    )
    await Promise.race([got.closed, late])
  } finally {
    await server.close(100)
  }
})

test.run()
