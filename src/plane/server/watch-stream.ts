// A watch as an HTTP response: 200 with headers sent at once, then one JSON event per line
// until timeoutSeconds passes or the client leaves (research/kubectl.md §5: never end a watch
// early, flush headers immediately, objects carry kind and apiVersion). A revision that is
// already compacted is a 410 before the stream starts, an ERROR event if it happens later.
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
}

export async function serveWatch(objects: ObjectStore, info: ResourceInfo, w: WatchRequest): Promise<Response> {
  let ctrl!: ReadableStreamDefaultController<Uint8Array>
  let closed = false
  let first = true
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (ctrl = c), cancel: () => finish() })
  const line = (ev: ApiWatchEvent) => {
    if (closed) return
    let object = ev.object
    if (w.format === 'table' && ev.type !== 'ERROR' && ev.type !== 'BOOKMARK') {
      object = toTable(info.kind, [ev.object as KubeObject], (ev.object as KubeObject).metadata.resourceVersion ?? '', { columns: first })
      first = false
    }
    if (w.format === 'cbor') ctrl.enqueue(encodeCbor({ type: ev.type, object }))
    else if (object === ev.object) ctrl.enqueue(jsonLine(ev.type, object))
    else ctrl.enqueue(enc.encode(JSON.stringify({ type: ev.type, object }) + '\n'))
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
    try {
      ctrl.close()
    } catch {
      // the client already went away
    }
  }
  streams.add(finish)
  try {
    const watcher = await watchObjects(objects, info, { namespace: w.namespace, query: w.query }, line, (err) => {
      line({ type: 'ERROR', object: toStatus(err) as unknown as Record<string, unknown> })
      finish()
    })
    cancelWatch = () => watcher.cancel()
  } catch (err) {
    finish()
    return errorResponse(err, w.format)
  }
  const timeout = Number(w.query.get('timeoutSeconds') ?? 0)
  if (timeout > 0) timer = setTimeout(finish, timeout * 1000)
  w.signal.addEventListener('abort', finish)
  const type = w.format === 'cbor' ? 'application/cbor-seq' : 'application/json'
  return new Response(body, { status: 200, headers: { 'content-type': type, 'cache-control': 'no-cache', 'transfer-encoding': 'chunked' } })
}
