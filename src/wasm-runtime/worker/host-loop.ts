// The host loop of a worker thread: wires the InstanceHost to the parent port. workerData carries
// the SharedArrayBuffer of the call slot the main thread's watchdog reads; the shim's waiting host
// calls report to it before any instance starts; and the runtime's service proxy cell, if any.
import { parentPort, workerData } from 'node:worker_threads'
import { pathToFileURL } from 'node:url'
import type { FromWorker, ToWorker } from '../protocol.ts'
import { ServiceProxyCell } from '../service-proxy.ts'
import { CallSlot } from './call-guard.ts'
import type { InstantiateFn } from './generation.ts'
import { InstanceHost } from './instance-host.ts'
import { trackHostWaits } from './host-waits.ts'

const port = parentPort!
const data = workerData as { slot: SharedArrayBuffer; serviceProxy?: SharedArrayBuffer }
const slot = new CallSlot(data.slot)
trackHostWaits(slot)
const host = new InstanceHost({
  post: (message: FromWorker) => port.postMessage(message),
  slot,
  serviceProxy: data.serviceProxy && new ServiceProxyCell(data.serviceProxy),
  importGlue: (file) => import(pathToFileURL(file).href) as Promise<{ instantiate: InstantiateFn }>,
})

port.on('message', (message: ToWorker) => {
  switch (message.t) {
    case 'start':
      return void host.start(message)
    case 'stop':
      return host.stop(message.n)
    case 'stats':
      return host.stats(message.n, message.req)
    case 'handle':
      return host.handle(message.n, message.req, message.body)
    case 'ping':
      return port.postMessage({ t: 'pong', seq: message.seq } satisfies FromWorker)
  }
})
