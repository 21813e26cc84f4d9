// list and watch for any kind: label and field selectors, limit/continue pages served from one
// revision, and watches that turn store events into ADDED / MODIFIED / DELETED, including
// objects moving into or out of a selector (as kube-apiserver's filtered watch does). `info` is
// the resource at the version asked for: objects are read at the storage version and answered
// converted to it.
import {
  apiVersionOf,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  storageResource,
  storePrefix,
  toServedVersion,
  type KubeObject,
  type ResourceInfo,
} from '../../api/index.ts'
import { BadRequestError } from '../../core/index.ts'
import type { WatchBatch, WatchEvent as StoreEvent, Watcher } from '../store/index.ts'
import type { ObjectStore } from './object-store.ts'
import { awaitRevision, watchError, watchResourceVersion } from './watch-start.ts'

export type Filter = (obj: KubeObject) => boolean

export function selectorFilter(info: ResourceInfo, query: URLSearchParams): Filter | undefined {
  const ls = query.get('labelSelector')
  const fs = query.get('fieldSelector')
  if (!ls && !fs) return undefined
  // worded as kube-apiserver's 400s: "unable to parse requirement: …", "field label not supported: …"
  const labels = ls ? parseLabelSelector(ls) : undefined
  if (labels && !labels.ok)
    throw new BadRequestError(
      labels.error.startsWith('unable to parse requirement')
        ? labels.error
        : `unable to parse requirement: ${labels.error}`,
    )
  const fields = fs ? parseFieldSelector(fs, info.kind) : undefined
  if (fields && !fields.ok) throw new BadRequestError(fields.error)
  return (obj) =>
    (!labels?.ok || matchesLabels(labels.value, obj.metadata.labels)) &&
    (!fields?.ok || matchesFields(fields.value, obj))
}

interface ContinueToken {
  rv: number
  start: string
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url')
}

function decodeContinue(s: string, prefix: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString()) as ContinueToken
    if (Number.isSafeInteger(t.rv) && typeof t.start === 'string' && t.start.startsWith(prefix))
      return t
  } catch {
    // fall through
  }
  throw new BadRequestError('continue key is not valid')
}

export async function listObjects(
  objects: ObjectStore,
  info: ResourceInfo,
  namespace: string | undefined,
  query: URLSearchParams,
) {
  const filter = selectorFilter(info, query)
  const limit = Number(query.get('limit') ?? 0) || 0
  const prefix = storePrefix(info, namespace)
  const cont = query.get('continue')
  const tok = cont ? decodeContinue(cont, prefix) : undefined
  const page = await objects.list(storageResource(info), {
    namespace,
    filter,
    limit,
    revision: tok?.rv,
    from: tok?.start,
  })
  const metadata: { resourceVersion: string; continue?: string } = {
    resourceVersion: String(page.revision),
  }
  if (page.next) metadata.continue = encodeContinue({ rv: page.revision, start: page.next })
  return { metadata, items: page.items.map((o) => toServedVersion(info, o)) }
}

export interface ApiWatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'ERROR' | 'BOOKMARK'
  object: KubeObject | Record<string, unknown>
}

/** decoded objects of watch events, shared by every watch that sees the same store event */
const decoded = new WeakMap<object, KubeObject>()
function decodeShared(
  objects: ObjectStore,
  info: ResourceInfo,
  kv: NonNullable<StoreEvent['prevKv']>,
): KubeObject {
  let obj = decoded.get(kv)
  if (!obj) decoded.set(kv, (obj = objects.decode(storageResource(info), kv)))
  return obj
}

/** a shared stored object at another served version, shared in turn by the watches of that version */
const served = new WeakMap<KubeObject, Map<string, KubeObject>>()
function servedShared(info: ResourceInfo, obj: KubeObject): KubeObject {
  if (info.version === info.storageVersion) return obj
  let views = served.get(obj)
  if (!views) served.set(obj, (views = new Map()))
  let view = views.get(apiVersionOf(info))
  if (!view) views.set(apiVersionOf(info), (view = toServedVersion(info, obj)))
  return view
}

const deletedViews = new WeakMap<object, KubeObject>()
function deletedView(prev: KubeObject, ev: StoreEvent): KubeObject {
  let obj = deletedViews.get(ev)
  if (!obj)
    deletedViews.set(
      ev,
      (obj = {
        ...prev,
        metadata: { ...prev.metadata, resourceVersion: String(ev.kv.modRevision) },
      }),
    )
  return obj
}

/** watch events are shared between watches: treat their objects as read-only */
function translate(
  objects: ObjectStore,
  info: ResourceInfo,
  ev: StoreEvent,
  filter?: Filter,
): ApiWatchEvent | undefined {
  const prev = ev.prevKv && decodeShared(objects, info, ev.prevKv)
  if (ev.type === 'delete') {
    if (!prev || (filter && !filter(prev))) return undefined
    return { type: 'DELETED', object: servedShared(info, deletedView(prev, ev)) }
  }
  const obj = decodeShared(objects, info, ev.kv)
  const now = !filter || filter(obj)
  const before = !!prev && (!filter || filter(prev))
  if (now) return { type: before ? 'MODIFIED' : 'ADDED', object: servedShared(info, obj) }
  return before ? { type: 'DELETED', object: servedShared(info, obj) } : undefined
}

/**
 * Starts a watch; everything that can fail does so here, before a byte is sent. resourceVersion
 * "" or "0": the current objects as ADDED first. Otherwise events after that revision, once the
 * store has it (watch-start.ts: 400 malformed, 504 never arrived, 410 Expired compacted).
 * `end`: the watch ended on the store's side after it started (compaction overtook it: Expired).
 */
export async function watchObjects(
  objects: ObjectStore,
  info: ResourceInfo,
  o: { namespace?: string; query: URLSearchParams; signal?: AbortSignal },
  send: (ev: ApiWatchEvent) => void,
  end: (err: Error) => void,
): Promise<Watcher> {
  const filter = selectorFilter(info, o.query)
  const rv = watchResourceVersion(o.query)
  let start: number
  if (!rv) {
    const page = await objects.list(storageResource(info), { namespace: o.namespace, filter })
    for (const obj of page.items) send({ type: 'ADDED', object: toServedVersion(info, obj) })
    start = page.revision + 1
  } else {
    await awaitRevision(objects.store, rv, { signal: o.signal })
    start = rv.revision + 1
  }
  let at = start - 1
  const handlers = {
    onEvents(batch: WatchBatch) {
      for (const ev of batch.events) {
        const out = translate(objects, info, ev, filter)
        if (out) send(out)
      }
      if (batch.events.length) at = batch.events[batch.events.length - 1].kv.modRevision
    },
    onCancel: (reason: Error) => end(watchError(reason, at)),
  }
  try {
    return objects.store.watch(
      { prefix: storePrefix(info, o.namespace) },
      { startRevision: start, prevKv: true },
      handlers,
    )
  } catch (err) {
    throw watchError(err, rv?.text ?? at)
  }
}
