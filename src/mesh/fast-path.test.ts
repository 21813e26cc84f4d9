// The local listener's socket-level fast path on real sockets: bad input from clients and from
// endpoints ends in a clear 400 / 431 / 502 (or the connection cut once the answer has begun),
// nothing crashes; pipelined requests, close-delimited answers; what it does not take goes to
// node:http on the same connection.
import { createServer, type Server, type Socket, connect } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createMesh, type Mesh } from './index.ts'
import { endpoint, service, table } from './mesh-fixture.ts'

/** a raw endpoint: answers every request head with what `answer` gives for its request line
 *  (an array: written one part after another, 50 ms apart) */
let answer: (line: string) => string | Buffer | string[] = () =>
  'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'
let raw: Server, rawPort: number, mesh: Mesh, port: number
const seen: string[] = []

test.before(async () => {
  raw = createServer((s) => {
    let buf = ''
    s.on('error', () => {})
    s.on('data', (c) => {
      buf += c.toString('latin1')
      let i
      while ((i = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, i)
        const len = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0)
        if (buf.length < i + 4 + len) return
        seen.push(head + '\r\n\r\n' + buf.slice(i + 4, i + 4 + len))
        buf = buf.slice(i + 4 + len)
        const a = answer(head.split('\r\n')[0]!)
        if (Array.isArray(a)) {
          a.forEach((part, k) => setTimeout(() => s.write(part), 50 * k))
          continue
        }
        if (a.length === 0) s.destroy()
        else s.write(a)
        if (typeof a === 'string' && /connection: close/i.test(a)) s.end()
      }
    })
  })
  await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r))
  rawPort = (raw.address() as { port: number }).port
  mesh = createMesh({ nodeName: 'n1', local: { port: 0 } })
  port = (await mesh.start()).local!
  await mesh.setTable(table([service('web', [endpoint('p1', 'n1', rawPort)])]))
})
test.after(async () => {
  await mesh?.stop()
  raw?.close()
})
test.before.each(() => {
  seen.length = 0
  answer = () => 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'
})

/** sends `bytes` on a new connection; resolves with what came back once `done` says so or the
 *  connection closed (and whether it closed) */
function talk(
  bytes: string | Buffer,
  done: (got: string) => boolean = () => false,
): Promise<{ got: string; closed: boolean; socket: Socket }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let got = ''
    socket.on('error', () => {})
    socket.on('data', (c) => {
      got += c.toString('latin1')
      if (done(got)) resolve({ got, closed: false, socket })
    })
    socket.on('close', () => resolve({ got, closed: true, socket }))
    socket.write(bytes)
  })
}
const answers = (n: number) => (got: string) =>
  got.split('HTTP/1.1 ').length - 1 >= n && /\r\n\r\n[^]*$/.test(got)

test('a malformed request head: 400 naming it, the connection closed', async () => {
  const r = await talk('GET / HTTP/1.1\r\nHost: web\r\nno colon here\r\n\r\n')
  assert.ok(r.closed)
  assert.match(r.got, /^HTTP\/1\.1 400 Bad Request\r\n/)
  assert.match(r.got, /connection: close/)
  assert.match(r.got, /mesh: bad request: malformed header line "no colon here"\n$/)
  assert.is(seen.length, 0)
})

test('an oversized request head: 431, the connection closed', async () => {
  const r = await talk(`GET / HTTP/1.1\r\nHost: web\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`)
  assert.ok(r.closed)
  assert.match(r.got, /^HTTP\/1\.1 431 /)
  assert.match(r.got, /request head larger than 16384 bytes/)
})

test('pipelined requests: answered in order on one connection, bodies passed on', async () => {
  const r = await talk(
    'GET /1 HTTP/1.1\r\nHost: web\r\n\r\nPOST /2 HTTP/1.1\r\nHost: web\r\nContent-Length: 3\r\n\r\nabcGET /3 HTTP/1.1\r\nHost: web\r\n\r\n',
    (got) => got.split('\r\n\r\nok').length - 1 === 3,
  )
  r.socket.destroy()
  assert.equal(
    seen.map((s) => s.split('\r\n')[0]),
    ['GET /1 HTTP/1.1', 'POST /2 HTTP/1.1', 'GET /3 HTTP/1.1'],
  )
  assert.match(seen[1]!, /\r\n\r\nabc$/)
  assert.match(seen[0]!, /x-forwarded-for: 127\.0\.0\.1\r\n/)
  assert.match(r.got, /via: 1\.1 n1\r\nx-shoal-pod: default\/p1\r\nx-shoal-node: n1\r\n/)
})

test('a malformed answer: 502 naming it, the connection still serves', async () => {
  answer = (line) =>
    line.startsWith('GET /bad')
      ? 'HTTP/1.1 abc\r\n\r\n'
      : 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'
  const r = await talk(
    'GET /bad HTTP/1.1\r\nHost: web\r\n\r\nGET /good HTTP/1.1\r\nHost: web\r\n\r\n',
    (got) => got.endsWith('ok'),
  )
  r.socket.destroy()
  assert.match(r.got, /^HTTP\/1\.1 502 Bad Gateway\r\n/)
  assert.match(r.got, /failed: bad answer: malformed status line "HTTP\/1\.1 abc"\n/)
  assert.match(r.got, /HTTP\/1\.1 200 OK\r\n/)
})

test('bad chunked framing with the head: 502 naming it', async () => {
  answer = () => 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabcdef\r\n'
  const r = await talk('GET / HTTP/1.1\r\nHost: web\r\n\r\n', answers(1))
  r.socket.destroy()
  assert.match(r.got, /^HTTP\/1\.1 502 [^]*bad answer: chunk data longer than its size\n$/)
})

test('bad chunked framing after the answer began: the client connection is cut', async () => {
  answer = () => ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n', '3\r\nabcdef\r\n']
  const r = await talk('GET / HTTP/1.1\r\nHost: web\r\n\r\n')
  assert.ok(r.closed)
  assert.match(r.got, /^HTTP\/1\.1 200 OK\r\n[^]*transfer-encoding: chunked\r\n/)
  // the mesh goes on
  answer = () => 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'
  const ok = await talk('GET / HTTP/1.1\r\nHost: web\r\n\r\n', answers(1))
  ok.socket.destroy()
  assert.match(ok.got, /200 OK[^]*ok$/)
})

test('chunked and close-delimited answers are relayed', async () => {
  answer = (line) =>
    line.startsWith('GET /c')
      ? 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'
      : 'HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nuntil the end'
  const c = await talk('GET /c HTTP/1.1\r\nHost: web\r\n\r\n', (g) => g.endsWith('0\r\n\r\n'))
  c.socket.destroy()
  assert.match(c.got, /\r\n\r\n3\r\nabc\r\n0\r\n\r\n$/)
  const e = await talk('GET /e HTTP/1.1\r\nHost: web\r\n\r\n')
  assert.ok(e.closed)
  assert.match(e.got, /connection: close\r\n\r\nuntil the end$/)
})

test('an endpoint that closes without answering: 502 (a GET tried once more, here on the same one)', async () => {
  answer = () => ''
  const r = await talk('GET / HTTP/1.1\r\nHost: web\r\n\r\n', answers(1))
  r.socket.destroy()
  assert.match(r.got, /^HTTP\/1\.1 502 /)
  assert.match(r.got, /endpoint default\/p1 on node n1 failed: it closed the connection/)
})

test('HTTP/1.0 and a chunked request body go to node:http on the same connection', async () => {
  const a = await talk('GET /old HTTP/1.0\r\nHost: web\r\n\r\n')
  assert.match(a.got, /^HTTP\/1\.[01] 200 OK\r\n[^]*ok$/)
  assert.is(seen[0]!.split('\r\n')[0], 'GET /old HTTP/1.1')
  const b = await talk(
    'GET /fast HTTP/1.1\r\nHost: web\r\n\r\nPOST /slow HTTP/1.1\r\nHost: web\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n',
    (g) => g.split('\r\n\r\nok').length - 1 === 2,
  )
  b.socket.destroy()
  assert.equal(
    seen.slice(1).map((s) => s.split('\r\n')[0]),
    ['GET /fast HTTP/1.1', 'POST /slow HTTP/1.1'],
  )
  // node:http's path sends the body with a Content-Length or chunked, as undici does
  assert.match(seen[2]!, /hi/)
})

test('Expect: 100-continue: the mesh says go on, the body reaches the endpoint without Expect', async () => {
  const socket = connect(port, '127.0.0.1')
  let got = ''
  await new Promise<void>((resolve) => {
    socket.on('data', (c) => {
      got += c.toString('latin1')
      if (got === 'HTTP/1.1 100 Continue\r\n\r\n') socket.write('hi')
      if (got.endsWith('ok')) resolve()
    })
    socket.write(
      'PUT /e HTTP/1.1\r\nHost: web\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n',
    )
  })
  socket.destroy()
  assert.match(got, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/)
  assert.match(seen[0]!, /^PUT \/e HTTP\/1\.1\r\n[^]*\r\n\r\nhi$/)
  assert.not.match(seen[0]!, /expect/i)
  const bad = await talk('PUT / HTTP/1.1\r\nHost: web\r\nExpect: teapot\r\n\r\n')
  assert.ok(bad.closed)
  assert.match(
    bad.got,
    /^HTTP\/1\.1 417 Expectation Failed\r\n[^]*unsupported expectation "teapot"\n$/,
  )
})

test('an unknown Host: 404 naming it, the connection kept', async () => {
  const r = await talk(
    'GET / HTTP/1.1\r\nHost: nope\r\n\r\nGET / HTTP/1.1\r\nHost: web\r\n\r\n',
    (g) => g.endsWith('ok'),
  )
  r.socket.destroy()
  assert.match(r.got, /^HTTP\/1\.1 404 Not Found\r\n[^]*mesh: no service default\/nope\n/)
})

test('a client that sends on while its answer is slow is read no further than one request', async () => {
  answer = (line) =>
    line.startsWith('GET /slow')
      ? ['HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n', 'slow']
      : 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'
  const many = 'GET /next HTTP/1.1\r\nHost: web\r\n\r\n'.repeat(4000) // ≈ 140 kB
  const r = await talk(`GET /slow HTTP/1.1\r\nHost: web\r\n\r\n${many}`, (g) => g.endsWith('slow'))
  r.socket.destroy()
  assert.match(r.got, /^HTTP\/1\.1 200 OK\r\n[^]*slow$/)
})

test.run()
