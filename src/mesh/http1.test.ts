// The fast path's HTTP/1.1 framing: request heads, answer heads, chunked bodies; bad input is an
// HttpError naming what is wrong.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { HOP } from './headers.ts'
import { upstreamHead } from './fast-path.ts'
import { ChunkedScanner, headEnd, HttpError, parseRequestHead, parseResponseHead } from './http1.ts'

const req = (s: string) => {
  const b = Buffer.from(s, 'latin1')
  return parseRequestHead(b, headEnd(b))
}
const res = (s: string, noBody = false) => {
  const b = Buffer.from(s, 'latin1')
  return parseResponseHead(b, headEnd(b), noBody, HOP)
}
const fails = (f: () => unknown, status: number, message: RegExp) => {
  try {
    f()
  } catch (err) {
    assert.instance(err, HttpError)
    assert.is((err as HttpError).status, status)
    assert.match((err as Error).message, message)
    return
  }
  assert.unreachable('no error')
}

test('headEnd: -1 until the blank line has come, also across a split', () => {
  assert.is(headEnd(Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n')), -1)
  const b = Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\nbody')
  assert.is(headEnd(b), b.length - 4)
  assert.is(headEnd(b, 25), b.length - 4)
})

test('a plain request head', () => {
  const h = req(
    'POST /a?b=1 HTTP/1.1\r\nHost: web.default\r\nContent-Length: 3\r\nConnection: keep-alive, X-Foo\r\nX-Foo: 1\r\n\r\n',
  )
  assert.is(h.method, 'POST')
  assert.is(h.target, '/a?b=1')
  assert.is(h.host, 'web.default')
  assert.is(h.contentLength, 3)
  assert.is(h.close, false)
  assert.equal([...h.connectionTokens!], ['x-foo'])
  assert.is(h.fallback, undefined)
  assert.is(req('GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n').close, true)
})

test('requests the fast path leaves to node:http', () => {
  assert.is(req('GET / HTTP/1.0\r\nHost: a\r\n\r\n').fallback, 'HTTP/1.0')
  assert.is(req('GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n').fallback, 'Upgrade')
  const e = req('PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\n\r\n')
  assert.equal([e.fallback, e.expectContinue], [undefined, true])
  assert.is(
    req('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n').fallback,
    'Transfer-Encoding',
  )
})

test('malformed request heads: 400 naming what is wrong', () => {
  fails(() => req('GET /\r\nHost: a\r\n\r\n'), 400, /malformed request line/)
  fails(() => req('G@T / HTTP/1.1\r\n\r\n'), 400, /malformed method/)
  fails(() => req('GET / HTTP/2.0\r\n\r\n'), 400, /unsupported version "HTTP\/2.0"/)
  fails(() => req('GET / HTTP/1.1\r\nno colon\r\n\r\n'), 400, /malformed header line "no colon"/)
  fails(() => req('GET / HTTP/1.1\r\nHost : a\r\n\r\n'), 400, /malformed header name "Host "/)
  fails(() => req('GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n'), 400, /malformed header/)
  fails(() => req('GET / HTTP/1.1\r\nX: a\nb\r\n\r\n'), 400, /malformed value of header "X"/)
  fails(() => req('GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n'), 400, /Content-Length "-1"/)
  fails(
    () => req('GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'),
    400,
    /conflicting Content-Length/,
  )
  fails(() => req('GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'), 400, /more than one Host/)
  fails(() => req('PUT / HTTP/1.1\r\nExpect: x\r\n\r\n'), 417, /unsupported expectation "x"/)
})

test('the upstream head: hop-by-hop and Connection-named headers dropped, forwarding added', () => {
  const h = req(
    'GET /x HTTP/1.1\r\nHost: web\r\nConnection: X-Drop\r\nX-Drop: 1\r\nKeep-Alive: 5\r\nX-Shoal-Target-Port: 9\r\nX-Forwarded-For: 10.0.0.1\r\nVia: 1.1 edge\r\nAccept: */*\r\n\r\n',
  )
  assert.is(
    upstreamHead(h, '127.0.0.1', '1.1 n1'),
    'GET /x HTTP/1.1\r\nHost: web\r\nAccept: */*\r\nx-forwarded-for: 10.0.0.1, 127.0.0.1\r\n' +
      'x-forwarded-proto: http\r\nx-forwarded-host: web\r\nvia: 1.1 edge, 1.1 n1\r\n\r\n',
  )
})

test('answer heads: framing and reuse', () => {
  const a = res('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\nVia: 1.1 b\r\n\r\n')
  assert.equal([a.status, a.framing, a.contentLength, a.reusable], [200, 'length', 5, true])
  assert.equal(a.headers, ['content-length', '5', 'x-a', '1'])
  assert.is(a.via, '1.1 b')
  assert.is(res('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n').framing, 'chunked')
  const c = res('HTTP/1.1 200 OK\r\n\r\n')
  assert.equal([c.framing, c.reusable], ['close', false])
  assert.is(res('HTTP/1.1 204 No Content\r\n\r\n').framing, 'none')
  assert.is(res('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', true).framing, 'none')
  assert.is(
    res('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n').reusable,
    false,
  )
  assert.is(res('HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n').reusable, false)
  const n = res('HTTP/1.1 200 OK\r\nConnection: X-B\r\nX-B: 1\r\nContent-Length: 0\r\n\r\n')
  assert.equal(n.headers, ['content-length', '0'])
})

test('malformed answer heads: 502 naming what is wrong', () => {
  fails(() => res('HTTP/1.1 2000 OK\r\n\r\n'), 502, /malformed status line/)
  fails(() => res('garbage\r\n\r\n'), 502, /malformed status line "garbage"/)
  fails(() => res('HTTP/1.1 200 OK\r\nbad\r\n\r\n'), 502, /malformed header line "bad"/)
  fails(() => res('HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n'), 502, /Content-Length "x"/)
  fails(
    () => res('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n'),
    502,
    /both Transfer-Encoding and Content-Length/,
  )
})

test('chunked: the end found across any split, trailers included', () => {
  const body = Buffer.from('5;x=y\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\nT: 1\r\n\r\n')
  for (let split = 0; split <= body.length; split++) {
    const s = new ChunkedScanner()
    const a = s.scan(body.subarray(0, split))
    if (split < body.length) {
      assert.is(a, -1, `split ${split}`)
      assert.is(s.scan(body.subarray(split)), body.length - split, `split ${split}`)
    } else assert.is(a, body.length)
    assert.ok(s.done)
  }
  // bytes after the end are not the body's
  assert.is(new ChunkedScanner().scan(Buffer.from('0\r\n\r\nHTTP/1.1')), 5)
})

test('bad chunked framing: 502 naming what is wrong', () => {
  const scan = (s: string) => () => new ChunkedScanner().scan(Buffer.from(s))
  fails(scan('x\r\n'), 502, /malformed chunk size/)
  fails(scan('5\r\nhello!\r\n'), 502, /chunk data longer than its size/)
  fails(scan('5\nhello\r\n'), 502, /malformed chunk size/)
  fails(scan('1234567890abc\r\n'), 502, /chunk size too large/)
  fails(scan(`1;${'e'.repeat(5000)}`), 502, /chunk extension too long/)
  fails(scan(`0\r\nT: ${'x'.repeat(5000)}`), 502, /trailer too long/)
  fails(scan('0\r\nT: 1\n'), 502, /malformed trailer line/)
})

test.run()
