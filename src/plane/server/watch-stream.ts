// A watch as an HTTP response: 200 with headers sent at once, then one JSON event per line
// until timeoutSeconds passes or the client leaves (research/kubectl.md §5: never end a watch
// early, flush headers immediately, objects carry kind and apiVersion). Nothing is sent before
// the watch is established: an error until then (bad selector or resourceVersion, a revision
// compacted or not reached) is a plain Status response; after it, an ERROR event, then the end.
//
// Served by the Node server, a watch writes its chunks straight to the connection: one write per
// event per watcher, the chunk framing encoded once per event and shared like the line itself.
// Through a web ReadableStream and Node's chunked encoder a delivery cost ≈ 30 µs of the plane's
// CPU (100 watchers: 3 ms per event); see bench/README.md. Without a Node response (tests with
// app.request()) the same lines go through a ReadableStream.
import type { ServerResponse } from 'node:http'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import type { KubeObject, ResourceInfo } from '../../api/index.ts'
import type { Logger } from '../../core/index.ts'
import type { ObjectStore } from './object-store.ts'
import { watchObjects, type ApiWatchEvent } from './read-ops.ts'
import { encodeCbor } from './object-codec.ts'
import { errorResponse, toTable, type Format } from './respond.ts'
import { toStatus } from './status.ts'

const streams = new Set<() => void>()
/** encoded JSON lines per shared event object and type: 100 watchers, one JSON.stringify */
const lines = new WeakMap<object, Map<string, Uint8Array>>()
const enc = new TextEncoder()

function jsonLine(type: string, object: object): Uint8Array {
  let byType = lines.get(object)
  if (!byType) lines.set(object, (byType = new Map()))
  let line = byType.get(type)
  if (!line) byType.set(type, (line = enc.encode(JSON.stringify({ type, object }) + '\n')))
  return line
}
/** watches being served now (for /metrics) */
export const openWatches = () => streams.size
/** ends every watch stream cleanly (graceful shutdown): clients see the stream end, as on a timeout */
export const endAllWatches = () => [...streams].forEach((finish) => finish())

export interface WatchRequest {
  namespace?: string
  query: URLSearchParams
  format: Format
  signal: AbortSignal
  log: Logger
  /** the Node response to write to directly, when served over HTTP/1.1 by Node */
  outgoing?: ServerResponse
}

/** where a watch's bytes go: opened once the watch is established (errors before that are plain responses) */
interface Sink {
  write(bytes: Uint8Array): void
  close(): void
  /** sends the headers; what was written before goes out after them */
  open(headers: Record<string, string>): Response
}

const CRLF = Buffer.from('\r\n')
/** HTTP/1.1 chunks per shared line: the framing is encoded once per event, not per watcher */
const chunks = new WeakMap<Uint8Array, Buffer>()
function chunkOf(line: Uint8Array): Buffer {
  let c = chunks.get(line)
  if (!c)
    chunks.set(
      line,
      (c = Buffer.concat([Buffer.from(`${line.length.toString(16)}\r\n`), line, CRLF])),
    )
  return c
}

/**
 * bytes a watcher's connection may hold unsent before the watch is dropped: a client that stopped
 * reading would otherwise grow the plane's memory without bound (a Pi has little). The client sees
 * its stream break and watches again from its last resourceVersion, as with kube-apiserver.
 */
export const MAX_UNSENT_BYTES = 4 << 20

/** chunks written to the connection itself; Node's response writes the head and, on close, the last chunk */
function connectionSink(out: ServerResponse, onGone: () => void, log: Logger): Sink {
  let pending: Uint8Array[] | undefined = []
  const send = (b: Uint8Array) => {
    const socket = out.socket
    if (!socket || socket.destroyed) return onGone()
    socket.write(chunkOf(b))
    if (socket.writableLength > MAX_UNSENT_BYTES) {
      log.warn('watch dropped: the client does not keep up', {
        unsentBytes: socket.writableLength,
        remote: socket.remoteAddress,
      })
      socket.destroy()
      onGone()
    }
  }
  return {
    write: (b) => (pending ? pending.push(b) : send(b)),
    close: () => {
      if (!out.writableEnded && !out.socket?.destroyed) out.end()
    },
    open: (headers) => {
      out.writeHead(200, headers)
      out.flushHeaders()
      for (const b of pending!) send(b)
      pending = undefined
      return RESPONSE_ALREADY_SENT
    },
  }
}

function webStreamSink(onCancel: () => void): Sink {
  let ctrl!: ReadableStreamDefaultController<Uint8Array>
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (ctrl = c), cancel: onCancel })
  return {
    write: (b) => ctrl.enqueue(b),
    close: () => {
      try {
        ctrl.close()
      } catch {
        // the client already went away
      }
    },
    open: (headers) => new Response(body, { status: 200, headers }),
  }
}

/** writes watch events to the sink in the format asked for (for a Table, columns in the first event only) */
function eventWriter(sink: Sink, info: ResourceInfo, format: Format): (ev: ApiWatchEvent) => void {
  let first = true
  return (ev) => {
    let object = ev.object
    if (format === 'table' && ev.type !== 'ERROR' && ev.type !== 'BOOKMARK') {
      object = toTable(
        info.kind,
        [ev.object as KubeObject],
        (ev.object as KubeObject).metadata.resourceVersion ?? '',
        { columns: first },
      )
      first = false
    }
    if (format === 'cbor') sink.write(encodeCbor({ type: ev.type, object }))
    else if (object === ev.object) sink.write(jsonLine(ev.type, object))
    else sink.write(enc.encode(JSON.stringify({ type: ev.type, object }) + '\n'))
  }
}

/**
 * Everything that can fail before the stream starts (selectors, resourceVersion, a revision not
 * reached yet or compacted) is answered as a plain Status response: the sink is opened, and the
 * headers sent, only once the watch is established.
 */
export async function serveWatch(
  objects: ObjectStore,
  info: ResourceInfo,
  w: WatchRequest,
): Promise<Response> {
  let closed = false
  let opened = false
  const sink = w.outgoing
    ? connectionSink(w.outgoing, () => finish(), w.log)
    : webStreamSink(() => finish())
  const write = eventWriter(sink, info, w.format)
  const line = (ev: ApiWatchEvent) => {
    if (!closed) write(ev)
  }
  let timer: NodeJS.Timeout | undefined
  let cancelWatch = () => {}
  const finish = () => {
    if (closed) return
    closed = true
    streams.delete(finish)
    clearTimeout(timer)
    cancelWatch()
    w.signal.removeEventListener('abort', finish)
    // before the headers went out there is no stream to end: the caller answers instead
    if (opened) sink.close()
  }
  streams.add(finish)
  try {
    const watcher = await watchObjects(
      objects,
      info,
      { namespace: w.namespace, query: w.query, signal: w.signal },
      line,
      (err) => {
        line({ type: 'ERROR', object: toStatus(err) as unknown as Record<string, unknown> })
        finish()
      },
    )
    cancelWatch = () => watcher.cancel()
  } catch (err) {
    finish()
    return errorResponse(err, w.format)
  }
  const timeout = Number(w.query.get('timeoutSeconds') ?? 0)
  if (w.signal.aborted) finish()
  if (closed)
    cancelWatch() // ended while being set up (client gone, shutdown, store closed): what was written, then the end
  else if (timeout > 0) timer = setTimeout(finish, timeout * 1000)
  if (!closed) w.signal.addEventListener('abort', finish)
  opened = true
  const res = sink.open(streamHeaders(w.format))
  if (closed) sink.close()
  return res
}

const streamHeaders = (format: Format) => ({
  'content-type': format === 'cbor' ? 'application/cbor-seq' : 'application/json',
  'cache-control': 'no-cache',
  'transfer-encoding': 'chunked',
})
