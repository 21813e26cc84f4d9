// GET pods/<name>/log: the container's log, streamed from the node that runs the pod over the
// node channel (plane/transport), with kubectl's options: container, follow, tailLines,
// sinceSeconds or sinceTime, previous, timestamps, limitBytes. What can go wrong before the
// first line (no node yet, no such container, node not connected or not answering) is a Status
// error; the body is text/plain, one line after another, until the node says done or the
// reader leaves (then the request is cancelled on the node).
import type { KubeObject, LogRequest, Pod } from '../../api/index.ts'
import { BadRequestError } from '../../core/index.ts'

export type LogOptions = Omit<LogRequest, 'type' | 'id'>

/** the node channel, as far as logs go: ready() resolves once the node answered */
export interface LogSource {
  requestLogs(
    node: string,
    opts: LogOptions,
  ): AsyncIterableIterator<string> & { ready(): Promise<void> }
}

export function podLogs(source: LogSource, now: () => number = Date.now) {
  return async (obj: KubeObject, query: URLSearchParams): Promise<Response> => {
    const pod = obj as Pod
    const name = pod.metadata.name!
    const node = pod.spec?.nodeName
    if (!node)
      throw new BadRequestError(
        `pod ${name} is not scheduled to a node yet (spec.nodeName is empty): it has no logs`,
      )
    const opts = logOptions(pod, query, now())
    const lines = source.requestLogs(node, opts)
    await lines.ready() // what goes wrong before the node answers becomes the answer's status
    return new Response(textStream(lines, int(query, 'limitBytes', 1)), {
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' },
    })
  }
}

function logOptions(pod: Pod, q: URLSearchParams, nowMs: number): LogOptions {
  const opts: LogOptions = {
    namespace: pod.metadata.namespace ?? 'default',
    pod: pod.metadata.name!,
    container: containerOf(pod, q.get('container') ?? undefined),
  }
  const tail = int(q, 'tailLines', 0)
  if (tail !== undefined) opts.tailLines = tail
  const since = int(q, 'sinceSeconds', 1)
  const sinceTime = q.get('sinceTime')
  if (since !== undefined && sinceTime)
    throw new BadRequestError('at most one of sinceTime or sinceSeconds may be specified')
  if (since !== undefined) opts.sinceSeconds = since
  if (sinceTime) {
    const t = Date.parse(sinceTime)
    if (Number.isNaN(t))
      throw new BadRequestError(`sinceTime: "${sinceTime}" is not an RFC 3339 time`)
    opts.sinceSeconds = Math.max(0, Math.ceil((nowMs - t) / 1000))
  }
  for (const flag of ['follow', 'previous', 'timestamps'] as const)
    if (bool(q, flag)) opts[flag] = true
  return opts
}

/** the container named, or the only one; Kubernetes' words when neither */
function containerOf(pod: Pod, asked: string | undefined): string {
  const names = (pod.spec.containers ?? []).map((c) => c.name)
  const name = pod.metadata.name!
  if (asked !== undefined) {
    if (names.includes(asked)) return asked
    throw new BadRequestError(`container ${asked} is not valid for pod ${name}`)
  }
  if (names.length === 1) return names[0]!
  throw new BadRequestError(
    `a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`,
  )
}

function int(q: URLSearchParams, key: string, min: number): number | undefined {
  const v = q.get(key)
  if (v === null) return undefined
  const n = /^\d{1,15}$/.test(v) ? Number(v) : NaN
  if (!(n >= min))
    throw new BadRequestError(
      `${key}: Invalid value: "${v}": must be ${min === 0 ? 'a whole number' : 'greater than 0'}`,
    )
  return n
}

function bool(q: URLSearchParams, key: string): boolean {
  const v = q.get(key)
  if (v === null || v === 'false' || v === '0') return false
  if (v === '' || v === 'true' || v === '1') return true
  throw new BadRequestError(`${key}: Invalid value: "${v}": must be true or false`)
}

function textStream(
  rest: AsyncIterableIterator<string>,
  limitBytes: number | undefined,
): ReadableStream<Uint8Array> {
  const utf8 = new TextEncoder()
  let left = limitBytes ?? Infinity
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const r = await rest.next()
      if (r.done) return controller.close()
      let bytes = utf8.encode(r.value)
      if (bytes.length >= left) {
        bytes = bytes.subarray(0, left)
        left = 0
      } else left -= bytes.length
      controller.enqueue(bytes)
      if (left === 0) {
        controller.close()
        await rest.return?.()
      }
    },
    async cancel() {
      await rest.return?.() // the reader left: the node stops sending
    },
  })
}
