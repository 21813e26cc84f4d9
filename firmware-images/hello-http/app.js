// hello-http: a wasi:http/proxy service that answers every request with JSON naming the pod,
// the request and the environment it was given. It exports `incomingHandler` and speaks
// wasi:http/types directly: the fetch-event style serves only one request per instance.
import { getEnvironment } from 'wasi:cli/environment@0.2.10'
import { Fields, OutgoingBody, OutgoingResponse, ResponseOutparam } from 'wasi:http/types@0.2.10'

const encoder = new TextEncoder()
const maxWrite = 4096 // blocking-write-and-flush accepts at most 4096 bytes per call

function describe(request) {
  const env = Object.fromEntries(getEnvironment())
  const method = request.method()
  return {
    message: 'hello from shoal',
    pod: env.POD_NAME ?? null,
    method: method.tag === 'other' ? method.val : method.tag.toUpperCase(),
    path: request.pathWithQuery() ?? '/',
    env,
  }
}

function respond(responseOut, status, bytes) {
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

export const incomingHandler = {
  handle(request, responseOut) {
    const answer = describe(request)
    request[Symbol.dispose]()
    respond(responseOut, 200, encoder.encode(JSON.stringify(answer) + '\n'))
  },
}
