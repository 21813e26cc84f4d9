// Watches served by Node over a real socket: chunks written straight to the connection, the
// stream ended cleanly on timeoutSeconds (the connection stays usable), and a client that stops
// reading is dropped once MAX_UNSENT_BYTES pile up instead of growing the plane's memory.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { connect, type Socket } from 'node:net'
import { request } from 'node:http'
import { openRouteFixture, type RouteFixture } from './route-fixture.ts'
import { serveApi, type RunningServer } from './serve.ts'
import { MAX_UNSENT_BYTES, openWatches } from './watch-stream.ts'

async function served(): Promise<{ f: RouteFixture; server: RunningServer; auth: string }> {
  const f = await openRouteFixture('watch-stream', { tokens: true })
  const server = await serveApi(f.app.fetch, { host: '127.0.0.1', port: 0 })
  return { f, server, auth: `Bearer ${f.tokens.admin}` }
}

const configMap = (name: string, bytes = 16) => ({
  metadata: { name },
  data: { blob: 'x'.repeat(bytes) },
})
const until = async (what: string, ok: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

test('events arrive as HTTP/1.1 chunks on the connection; timeoutSeconds ends the stream cleanly', async () => {
  const { f, server, auth } = await served()
  try {
    const port = server.port
    const body = await new Promise<{
      status: number
      text: string
      headers: Record<string, unknown>
    }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1',
          headers: { authorization: auth },
        },
        (res) => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (d) => (text += d))
          res.on('end', () => resolve({ status: res.statusCode!, text, headers: res.headers }))
        },
      )
      req.on('error', reject)
      req.end()
      setTimeout(async () => {
        for (let i = 0; i < 3; i++)
          await f.request('POST', '/api/v1/namespaces/default/configmaps', configMap(`cm-${i}`), {
            authorization: auth,
          })
      }, 100)
    })
    assert.is(body.status, 200)
    assert.is(body.headers['transfer-encoding'], 'chunked')
    assert.is(body.headers['content-type'], 'application/json')
    const events = body.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    assert.equal(
      events.map((e) => [e.type, e.object.metadata.name]),
      [
        ['ADDED', 'cm-0'],
        ['ADDED', 'cm-1'],
        ['ADDED', 'cm-2'],
      ],
    )
    assert.is(events[0].object.kind, 'ConfigMap')
    await until('the watch to be gone', () => openWatches() === 0)
  } finally {
    await server.close(100)
    await f.close()
  }
})

test('a watcher that stops reading is dropped once its unsent bytes pass the limit; others go on', async () => {
  const { f, server, auth } = await served()
  const sockets: Socket[] = []
  try {
    // a client that sends the request and never reads the answer
    const stuck = connect(server.port, '127.0.0.1')
    sockets.push(stuck)
    stuck.pause()
    stuck.on('error', () => {})
    stuck.write(
      `GET /api/v1/namespaces/default/configmaps?watch=true HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\n\r\n`,
    )
    // and one that reads everything
    let seen = 0
    const reader = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path: '/api/v1/namespaces/default/configmaps?watch=true',
        headers: { authorization: auth },
      },
      (res) => {
        res.setEncoding('utf8')
        res.on('data', (d: string) => (seen += d.split('\n').length - 1))
      },
    )
    reader.on('error', () => {})
    reader.end()
    await until('both watches', () => openWatches() === 2)
    const big = 256 << 10
    let written = 0
    // (the kernel's socket buffers take several MB on loopback before the plane holds any)
    for (let i = 0; openWatches() === 2 && written < 16 * MAX_UNSENT_BYTES; i++) {
      const r = await f.request(
        'POST',
        '/api/v1/namespaces/default/configmaps',
        configMap(`big-${i}`, big),
        { authorization: auth },
      )
      assert.is(r.status, 201)
      written += big
    }
    await until('the stuck client to be dropped', () => openWatches() === 1)
    assert.ok(written > MAX_UNSENT_BYTES, `dropped after ${written} bytes of events`)
    assert.ok(written < 16 * MAX_UNSENT_BYTES, 'dropped before the writes ran out')
    await until('the reading watcher to see every event', () => seen === written / big)
    assert.is(openWatches(), 1, 'the reading watcher is still there')
    let ended = false
    stuck.on('close', () => (ended = true))
    stuck.resume() // reads what the kernel still held, then finds the connection closed
    await until('the stuck connection to be closed by the plane', () => ended)
    reader.destroy()
  } finally {
    for (const s of sockets) s.destroy()
    await server.close(100)
    await f.close()
  }
})

test.run()
