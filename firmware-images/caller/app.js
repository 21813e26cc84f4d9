// caller: a wasi:http/proxy service that makes one outgoing request per incoming one, the way a
// component reaches another Service (`http://<svc>.<ns>/…`, through the node's mesh). GET
// /call?url=<url> fetches <url> with wasi:http/outgoing-handler (GET, no body) and answers 200 with
// JSON { status, pod, body } — the upstream's status, its x-shoal-pod header and its body as text —
// or 502 with { error } when the call fails (refused, denied, bad URL). Other paths: 404.
import { handle } from 'wasi:http/outgoing-handler@0.2.10'
import {
  Fields,
  OutgoingBody,
  OutgoingRequest,
  OutgoingResponse,
  ResponseOutparam,
} from 'wasi:http/types@0.2.10'

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const maxWrite = 4096 // blocking-write-and-flush accepts at most 4096 bytes per call

function respond(responseOut, status, value) {
  const bytes = encoder.encode(JSON.stringify(value) + '\n')
  const headers = Fields.fromList([
    ['content-type', encoder.encode('application/json')],
    ['content-length', encoder.encode(String(bytes.length))],
  ])
  const response = new OutgoingResponse(headers)
  response.setStatusCode(status)
  const body = response.body()
  ResponseOutparam.set(responseOut, { tag: 'ok', val: response })
  const stream = body.write()
  for (let at = 0; at < bytes.length; at += maxWrite) {
    stream.blockingWriteAndFlush(bytes.subarray(at, at + maxWrite))
  }
  stream[Symbol.dispose]()
  OutgoingBody.finish(body, undefined)
}

/** `http://host[:port]/path?q` → its parts (http and https only) */
function parseUrl(url) {
  const m = /^(https?):\/\/([^/?#]+)([^#]*)$/.exec(url)
  if (!m) throw new Error(`not an http(s) URL: ${url}`)
  return { scheme: m[1], authority: m[2], path: m[3] || '/' }
}

function readAll(incomingBody) {
  const stream = incomingBody.stream()
  const chunks = []
  for (;;) {
    let chunk
    try {
      chunk = stream.blockingRead(65536n)
    } catch {
      break // closed: the body is over
    }
    chunks.push(decoder.decode(chunk, { stream: true }))
  }
  stream[Symbol.dispose]()
  return chunks.join('') + decoder.decode()
}

function describeError(e) {
  const v = e?.payload ?? e
  return typeof v === 'object' ? JSON.stringify(v) : String(v)
}

function call(url) {
  const { scheme, authority, path } = parseUrl(url)
  const request = new OutgoingRequest(new Fields())
  request.setMethod({ tag: 'get' })
  request.setScheme({ tag: scheme === 'https' ? 'HTTPS' : 'HTTP' })
  request.setAuthority(authority)
  request.setPathWithQuery(path)
  const outBody = request.body()
  const future = handle(request, undefined)
  OutgoingBody.finish(outBody, undefined)
  future.subscribe().block()
  const got = future.get()
  if (!got || got.tag !== 'ok') throw new Error('the response was taken already')
  if (got.val.tag !== 'ok') throw new Error(`request failed: ${describeError(got.val.val)}`)
  const response = got.val.val
  const pod = response
    .headers()
    .entries()
    .find(([k]) => k === 'x-shoal-pod')
  const body = readAll(response.consume())
  return { status: response.status(), pod: pod ? decoder.decode(pod[1]) : null, body }
}

export const incomingHandler = {
  handle(request, responseOut) {
    const path = request.pathWithQuery() ?? '/'
    request[Symbol.dispose]()
    const m = /^\/call\?url=([^&]*)/.exec(path)
    if (!m) return respond(responseOut, 404, { error: 'only GET /call?url=<url> here' })
    try {
      respond(responseOut, 200, call(decodeURIComponent(m[1])))
    } catch (e) {
      respond(responseOut, 502, { error: e instanceof Error ? e.message : describeError(e) })
    }
  },
}
