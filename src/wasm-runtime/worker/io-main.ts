// Adapter, thread entry: the process's one preview2-shim I/O thread. The shim gives every thread
// that imports it an I/O thread of its own (its sockets, HTTP servers, timers, file streams),
// ≈ 9–12 MB each; here one serves every host thread. It runs the shim's own I/O code unchanged,
// handed a parentPort and workerData of ours: each host thread connects through a MessagePort
// (the main thread sends its end here, worker/io-link.ts is the other end), and its calls are
// passed on with their call ids, and the ids of the HTTP servers it names (numbered per host
// thread by the shim), made unique; an incoming request goes back to the thread that owns the
// server. The shim's I/O code is asynchronous throughout, so one thread's long wait (a sleep, a
// slow upstream) holds up no other's call. When a host thread ends (terminated, or idle) its
// port closes, and the HTTP servers and sockets it left are closed here. Outgoing plain-http
// requests to a Service go to the node's mesh (mesh-route.ts), by the setting in the cell the
// runtime sends with each host thread's port.
import { createRequire, syncBuiltinESMExports } from 'node:module'
import type { MessagePort } from 'node:worker_threads'
import { ServiceProxyCell } from '../service-proxy.ts'
import { routeServicesToMesh } from './mesh-route.ts'

type Threads = typeof import('node:worker_threads')
interface Call {
  sharedBuffer: SharedArrayBuffer
  cid: number
  args: [number, number | null, unknown]
}
interface Client {
  port: MessagePort
  reply?: MessagePort
  /** HTTP server ids: the thread's own → ours */
  servers: Map<number, number>
  /** socket ids it created and has not disposed, with the call that disposes each */
  sockets: Map<number, number>
}

const threads = createRequire(import.meta.url)('node:worker_threads') as Threads
const parent = threads.parentPort!
const ioDir = new URL('../io/', import.meta.resolve('@bytecodealliance/preview2-shim'))
const calls = (await import(new URL('calls.js', ioDir).href)) as Record<string, number>
const serverCalls = new Set([
  calls.HTTP_SERVER_START,
  calls.HTTP_SERVER_STOP,
  calls.HTTP_SERVER_GET_ADDRESS,
])
/** socket creation call → the call that disposes what it made */
const socketCalls = new Map([
  [calls.SOCKET_TCP_CREATE_HANDLE!, calls.SOCKET_TCP_DISPOSE!],
  [calls.SOCKET_UDP_CREATE_HANDLE!, calls.SOCKET_UDP_DISPOSE!],
])
const disposals = new Set(socketCalls.values())

let handle: ((call: Call) => void) | undefined
let serviceProxy: ServiceProxyCell | undefined
const pending = new Map<number, { client?: Client; cid: number; made?: number }>()
const owners = new Map<number, { client: Client; id: number }>()
let nextCid = 0
let nextServer = 0

// what the shim's I/O code takes for its parent: calls come from `on('message')`, incoming
// requests leave through postMessage; its replies leave through workerData.workerPort
const shimParent = {
  on(event: string, fn: (call: Call) => void) {
    if (event === 'message') handle = fn
    return shimParent
  },
  postMessage(m: { type: number; id: number; payload: unknown }) {
    const owner = owners.get(m.id)
    owner?.client.port.postMessage({ ...m, id: owner.id })
  },
}
const shimReplies = {
  postMessage(m: { cid: number; result?: unknown }) {
    const p = pending.get(m.cid)
    pending.delete(m.cid)
    if (!p?.client) return
    if (p.made !== undefined && typeof m.result === 'number') p.client.sockets.set(m.result, p.made)
    p.client.reply?.postMessage({ ...m, cid: p.cid })
  },
}

function dispatch(client: Client | undefined, call: Call, made?: number): void {
  const cid = ++nextCid
  pending.set(cid, { client, cid: call.cid, made })
  handle?.({ ...call, cid })
}

/** The shim's server id for `client`'s server `id` (a new one at its first call). */
function serverId(client: Client, id: number): number {
  let ours = client.servers.get(id)
  if (ours === undefined) {
    ours = ++nextServer
    client.servers.set(id, ours)
    owners.set(ours, { client, id })
  }
  return ours
}

function onCall(client: Client, call: Call): void {
  const [num, id, payload] = call.args
  if (serverCalls.has(num) && id !== null) call.args = [num, serverId(client, id), payload]
  if (disposals.has(num) && id !== null) client.sockets.delete(id)
  dispatch(client, call, socketCalls.get(num))
}

/** A host thread is gone: close what it left open (no one is left to answer its requests). */
function release(client: Client): void {
  const internal = (args: Call['args']) =>
    dispatch(undefined, { sharedBuffer: new SharedArrayBuffer(4), cid: 0, args })
  for (const ours of client.servers.values()) {
    owners.delete(ours)
    internal([calls.HTTP_SERVER_STOP!, ours, null])
  }
  for (const [id, dispose] of client.sockets) internal([dispose, id, null])
  client.servers.clear()
  client.sockets.clear()
}

function connect(port: MessagePort): void {
  const client: Client = { port, servers: new Map(), sockets: new Map() }
  port.on('message', (m: Call | { t: 'reply'; port: MessagePort }) => {
    if ('t' in m) client.reply = m.port
    else onCall(client, m)
  })
  port.once('close', () => release(client))
}

routeServicesToMesh(() => serviceProxy)
Object.assign(threads, {
  parentPort: shimParent,
  workerData: { workerPort: shimReplies, debug: false },
})
syncBuiltinESMExports()
await import(new URL('worker-thread.bundle.js', ioDir).href)
parent.on('message', (m: { client: MessagePort; serviceProxy?: SharedArrayBuffer }) => {
  if (m.serviceProxy && serviceProxy?.buffer !== m.serviceProxy)
    serviceProxy = new ServiceProxyCell(m.serviceProxy)
  connect(m.client)
})
