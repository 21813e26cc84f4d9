// The dashboard's state, in nanostores: one store per kind the page shows (nodes, pods,
// deployments, services, endpoint slices, events), each a list then a watch of the API
// (?watch=1: newline-delimited JSON events, as kubectl reads them), resumed from the last
// resourceVersion when the stream ends and listed afresh when the server says it is too old (410).
// No polling: the request rates (not a watchable kind) are the one thing read on a timer.
// Pure parts (applyEvent, lineDecoder, the derived rows) are tested without a browser.
import { atom, computed, map, type ReadableAtom, type WritableAtom } from 'nanostores'

export interface KubeObject {
  apiVersion?: string
  kind?: string
  metadata: {
    name: string
    namespace?: string
    uid?: string
    resourceVersion?: string
    creationTimestamp?: string
    deletionTimestamp?: string
    labels?: Record<string, string>
    annotations?: Record<string, string>
    ownerReferences?: { kind: string; name: string; controller?: boolean }[]
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- objects of every kind, read field by field
  spec?: any
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as spec
  status?: any
  [k: string]: unknown
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'
  object: KubeObject & { code?: number; message?: string }
}

/** objects by namespace/name */
export type Objects = Record<string, KubeObject>

export const keyOf = (o: KubeObject) =>
  o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name

/** the state after one watch event (a new object when it changed, the same one otherwise) */
export function applyEvent(state: Objects, e: WatchEvent): Objects {
  if (e.type === 'ADDED' || e.type === 'MODIFIED') return { ...state, [keyOf(e.object)]: e.object }
  if (e.type === 'DELETED') {
    const next = { ...state }
    delete next[keyOf(e.object)]
    return next
  }
  return state
}

/** bytes of a chunked stream in, whole lines out (a line may span chunks; a chunk holds many) */
export function lineDecoder(): (chunk: Uint8Array | string, end?: boolean) => string[] {
  const dec = new TextDecoder()
  let rest = ''
  return (chunk, end = false) => {
    rest += typeof chunk === 'string' ? chunk : dec.decode(chunk, { stream: !end })
    const lines = rest.split('\n')
    rest = end ? '' : lines.pop()!
    return lines.filter((l) => l.trim() !== '')
  }
}

// ---- the connection -------------------------------------------------------------------------

export const token = atom<string>(globalThis.sessionStorage?.getItem('shoal-token') ?? '')
token.listen((t) => {
  if (t) globalThis.sessionStorage?.setItem('shoal-token', t)
  else globalThis.sessionStorage?.removeItem('shoal-token')
})
/** who the token is (from a SelfSubjectReview) and whether it may write */
export const whoami = atom<{ name: string; admin: boolean } | undefined>(undefined)

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/** a call to the plane's API with the signed-in token; a non-2xx answer throws its Status message */
export async function api(
  path: string,
  init: { method?: string; body?: unknown; contentType?: string; signal?: AbortSignal } = {},
): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${token.get()}` }
  if (init.body !== undefined) headers['content-type'] = init.contentType ?? 'application/json'
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal,
  })
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`
    try {
      const s = await res.json()
      if (s?.message) message = s.message
    } catch {
      /* not a Status */
    }
    throw new ApiError(res.status, message)
  }
  return res
}

export const apiJson = async <T = KubeObject>(
  path: string,
  init?: Parameters<typeof api>[1],
): Promise<T> => (await api(path, init)).json() as Promise<T>

// ---- watched collections --------------------------------------------------------------------

export interface Collection {
  path: string
  objects: WritableAtom<Objects>
  /** 'connecting', 'live', or what went wrong */
  state: WritableAtom<string>
}

const collection = (path: string): Collection => ({
  path,
  objects: atom<Objects>({}),
  state: atom('connecting'),
})

export const nodes = collection('/api/v1/nodes')
export const pods = collection('/api/v1/pods')
export const deployments = collection('/apis/apps/v1/deployments')
export const services = collection('/api/v1/services')
export const slices = collection('/apis/discovery.k8s.io/v1/endpointslices')
export const events = collection('/api/v1/events')
export const collections = [nodes, pods, deployments, services, slices, events]

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((r) => {
    const t = setTimeout(r, ms)
    signal.addEventListener('abort', () => (clearTimeout(t), r()), { once: true })
  })

/** list, then watch from the list's resourceVersion until `signal` aborts; resumes and relists */
export async function follow(c: Collection, signal: AbortSignal): Promise<void> {
  let rv: string | undefined
  while (!signal.aborted) {
    try {
      if (rv === undefined) {
        const list = await apiJson<{ items: KubeObject[]; metadata: { resourceVersion: string } }>(
          c.path,
          { signal },
        )
        c.objects.set(Object.fromEntries(list.items.map((o) => [keyOf(o), o])))
        rv = list.metadata.resourceVersion
      }
      const res = await api(
        `${c.path}?watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(rv)}`,
        { signal },
      )
      c.state.set('live')
      const lines = lineDecoder()
      const reader = res.body!.getReader()
      for (;;) {
        const { done, value } = await reader.read()
        for (const line of lines(value ?? new Uint8Array(), done)) {
          const e = JSON.parse(line) as WatchEvent
          if (e.type === 'ERROR') {
            if (e.object.code === 410) rv = undefined // too old: list again
            throw new ApiError(e.object.code ?? 500, e.object.message ?? 'watch error')
          }
          if (e.object.metadata?.resourceVersion) rv = e.object.metadata.resourceVersion
          c.objects.set(applyEvent(c.objects.get(), e))
        }
        if (done) break
      }
    } catch (err) {
      if (signal.aborted) return
      if (err instanceof ApiError && err.status === 410) rv = undefined
      c.state.set(`reconnecting: ${(err as Error).message}`)
      await sleep(2000, signal)
    }
  }
}

// ---- request rates (polled: no watch exists for them) ---------------------------------------

/** per Service (namespace/name): the last samples of its summed request rate, oldest first */
export const serviceRates = map<Record<string, number[]>>({})
export const RATE_SAMPLES = 30

export interface PodRate {
  namespace: string
  pod: string
  requestsPerSecond: number
  /** what the nodes' meshes saw of the pod as an endpoint over their last window */
  mesh?: {
    requestsPerSecond: number
    errorsPerSecond: number
    latencyP50Ms?: number
    latencyP99Ms?: number
  }
}

/** one sample of a Service's mesh figures */
export interface MeshSample {
  /** attempts and errors a second, summed over its endpoints */
  requestsPerSecond: number
  errorsPerSecond: number
  /** the slowest endpoint's p99 (ms); none: no attempt in the window */
  p99Ms?: number
}

/** per Service (namespace/name): the last samples of its mesh figures, oldest first */
export const serviceMesh = map<Record<string, MeshSample[]>>({})

/** one mesh sample more for every Service: errors summed over its endpoints, the worst p99 */
export function addMeshSample(
  before: Record<string, MeshSample[]>,
  rates: PodRate[],
  bySvc: Map<string, Set<string>>,
): Record<string, MeshSample[]> {
  const out: Record<string, MeshSample[]> = {}
  for (const [svc, podsOf] of bySvc) {
    const ns = svc.split('/')[0]
    const seen = rates.filter((r) => r.namespace === ns && podsOf.has(r.pod) && r.mesh)
    const p99s = seen.flatMap((r) => r.mesh!.latencyP99Ms ?? [])
    const sample: MeshSample = {
      requestsPerSecond: seen.reduce((s, r) => s + r.mesh!.requestsPerSecond, 0),
      errorsPerSecond: seen.reduce((s, r) => s + r.mesh!.errorsPerSecond, 0),
      ...(p99s.length && { p99Ms: Math.max(...p99s) }),
    }
    out[svc] = [...(before[svc] ?? []), sample].slice(-RATE_SAMPLES)
  }
  return out
}

/** "0.50 err/s (2.0%)" of the attempts a second; "0 err/s" with none */
export function errorText(m: MeshSample | undefined): string {
  if (!m) return '—'
  if (m.errorsPerSecond === 0) return '0 err/s'
  const share = m.requestsPerSecond > 0 ? (100 * m.errorsPerSecond) / m.requestsPerSecond : 100
  return `${m.errorsPerSecond.toFixed(2)} err/s (${share.toFixed(share < 10 ? 1 : 0)}%)`
}

/** a latency as people read it: 0.8 ms, 12 ms, 1.2 s */
export const latencyText = (ms: number | undefined) =>
  ms === undefined
    ? '—'
    : ms >= 1000
      ? `${(ms / 1000).toFixed(1)} s`
      : ms >= 10
        ? `${Math.round(ms)} ms`
        : `${ms.toFixed(1)} ms`

/** the pods each Service's EndpointSlices name */
export function servicePods(all: Objects): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>()
  for (const s of Object.values(all)) {
    const svc = s.metadata.labels?.['kubernetes.io/service-name']
    if (!svc) continue
    const key = `${s.metadata.namespace}/${svc}`
    const set = out.get(key) ?? new Set<string>()
    for (const e of (s.endpoints as { targetRef?: { kind: string; name: string } }[]) ?? [])
      if (e.targetRef?.kind === 'Pod') set.add(e.targetRef.name)
    out.set(key, set)
  }
  return out
}

/** one sample more for every Service: the sum of its pods' rates */
export function addRateSample(
  before: Record<string, number[]>,
  rates: PodRate[],
  bySvc: Map<string, Set<string>>,
): Record<string, number[]> {
  const out: Record<string, number[]> = {}
  for (const [svc, podsOf] of bySvc) {
    const ns = svc.split('/')[0]
    const sum = rates
      .filter((r) => r.namespace === ns && podsOf.has(r.pod))
      .reduce((s, r) => s + r.requestsPerSecond, 0)
    out[svc] = [...(before[svc] ?? []), sum].slice(-RATE_SAMPLES)
  }
  return out
}

export async function pollRates(signal: AbortSignal, everyMs = 5000): Promise<void> {
  while (!signal.aborted) {
    try {
      const { items } = await apiJson<{ items: PodRate[] }>('/shoal/v1/request-rates', { signal })
      const bySvc = servicePods(slices.objects.get())
      serviceRates.set(addRateSample(serviceRates.get(), items, bySvc))
      serviceMesh.set(addMeshSample(serviceMesh.get(), items, bySvc))
    } catch {
      /* shown as no samples */
    }
    await sleep(everyMs, signal)
  }
}

const UNITS: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  k: 1e3,
  M: 1e6,
  G: 1e9,
}
/** a memory quantity (3884Mi, 24731400Ki) in GiB or MiB, as people read it */
export const memory = (q: string) => {
  const m = /^(\d+(?:\.\d+)?)([KMGT]i|[kMG])?$/.exec(q)
  if (!m) return q
  const bytes = Number(m[1]) * (m[2] ? UNITS[m[2]] : 1)
  return bytes >= 2 ** 30
    ? `${(bytes / 2 ** 30).toFixed(1)} GiB`
    : `${Math.round(bytes / 2 ** 20)} MiB`
}

// ---- derived rows ---------------------------------------------------------------------------

const condition = (o: KubeObject, type: string) =>
  (
    o.status?.conditions as
      | {
          type: string
          status: string
          lastTransitionTime?: string
          lastHeartbeatTime?: string
          reason?: string
        }[]
      | undefined
  )?.find((c) => c.type === type)

export interface NodeRow {
  name: string
  /** 'Ready', 'NotReady' or 'Unknown' (offline: the agent stopped reporting) */
  ready: string
  since?: string
  heartbeat?: string
  arch: string
  memory: string
  pods: number
  unschedulable: boolean
}

export function nodeRows(all: Objects, allPods: Objects): NodeRow[] {
  const count = new Map<string, number>()
  for (const p of Object.values(allPods))
    if (p.spec?.nodeName && !['Succeeded', 'Failed'].includes(p.status?.phase))
      count.set(p.spec.nodeName, (count.get(p.spec.nodeName) ?? 0) + 1)
  return Object.values(all)
    .map((n) => {
      const c = condition(n, 'Ready')
      return {
        name: n.metadata.name,
        ready: c?.status === 'True' ? 'Ready' : c?.status === 'False' ? 'NotReady' : 'Unknown',
        since: c?.lastTransitionTime,
        heartbeat: c?.lastHeartbeatTime,
        arch: n.status?.nodeInfo?.architecture ?? n.metadata.labels?.['kubernetes.io/arch'] ?? '?',
        memory: n.status?.capacity?.memory ?? '?',
        pods: count.get(n.metadata.name) ?? 0,
        unschedulable: !!n.spec?.unschedulable,
      }
    })
    .sort((a, b) => a.name.localeCompare(b.name))
}

export interface DeploymentRow {
  namespace: string
  name: string
  desired: number
  ready: number
  updated: number
  available: number
  /** the Progressing condition's reason, e.g. NewReplicaSetAvailable */
  progress: string
  perNode: [string, number][]
}

/** the pods a Deployment owns, through its ReplicaSets (named <deployment>-<hash>) */
const ownedBy = (p: KubeObject, d: KubeObject) =>
  p.metadata.namespace === d.metadata.namespace &&
  (p.metadata.ownerReferences ?? []).some(
    (r) => r.kind === 'ReplicaSet' && r.name.replace(/-[^-]+$/, '') === d.metadata.name,
  )

export function deploymentRows(all: Objects, allPods: Objects): DeploymentRow[] {
  const podList = Object.values(allPods)
  return Object.values(all)
    .map((d) => {
      const perNode = new Map<string, number>()
      for (const p of podList)
        if (ownedBy(p, d) && !p.metadata.deletionTimestamp) {
          const n = p.spec?.nodeName ?? '(pending)'
          perNode.set(n, (perNode.get(n) ?? 0) + 1)
        }
      const prog = condition(d, 'Progressing')
      return {
        namespace: d.metadata.namespace ?? '',
        name: d.metadata.name,
        desired: d.spec?.replicas ?? 1,
        ready: d.status?.readyReplicas ?? 0,
        updated: d.status?.updatedReplicas ?? 0,
        available: d.status?.availableReplicas ?? 0,
        progress: prog?.reason ?? '',
        perNode: [...perNode].sort((a, b) => a[0].localeCompare(b[0])),
      }
    })
    .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`))
}

export const nodeList: ReadableAtom<NodeRow[]> = computed([nodes.objects, pods.objects], nodeRows)
export const deploymentList: ReadableAtom<DeploymentRow[]> = computed(
  [deployments.objects, pods.objects],
  deploymentRows,
)

/** events, newest first (lastTimestamp, eventTime or creation) */
export function recentEvents(all: Objects, limit = 100): KubeObject[] {
  const at = (e: KubeObject) =>
    String(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? '')
  return Object.values(all)
    .sort((a, b) => at(b).localeCompare(at(a)))
    .slice(0, limit)
}
export const eventList = computed(events.objects, (e) => recentEvents(e))

/** the page shown: from location.hash (#/nodes, #/pod/ns/name, …) */
export const route = atom<string[]>([])
