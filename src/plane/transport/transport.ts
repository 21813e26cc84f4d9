// The transport as the plane runs it: the embedded broker on its TLS port and the node channel
// on it, or (`external`) the channel on an external broker reached as a client.
import { systemClock, type Clock, type Logger } from '../../core/index.ts'
import { startBroker } from './broker.ts'
import { connectExternalBus } from './external-bus.ts'
import type { LogOptions } from './log-requests.ts'
import type { LogLines } from './log-stream.ts'
import { NodeChannel } from './node-channel.ts'
import type { NodeStats } from './node-stats.ts'
import type { Objects, ResolveImage } from './ports.ts'

export interface TransportOptions {
  /** where the embedded broker listens (port 0: any free port) */
  listen: { host: string; port: number }
  /** the plane's serving certificate and key, PEM */
  tls: { cert: string; key: string }
  /** is `password` a bearer token of node `node`? */
  authenticateNode(node: string, password: string): boolean
  objects: Objects
  resolveImage: ResolveImage
  log: Logger
  clock?: Clock
  /** a node's Lease is written at most this often (default 1 s) */
  leaseRenewMs?: number
  /** several planes: does this plane serve `node`? (absent: every node) */
  owns?: (node: string) => boolean
  /** several planes: this plane's name, on the node Leases it writes */
  servedBy?: string
  /** an external broker instead of the embedded one (listen, tls and authenticateNode unused:
   * the broker authenticates and confines the nodes) */
  external?: {
    url: string
    username?: string
    password?: string
    ca?: string | string[]
    cert?: string
    key?: string
    /** default the username */
    clientId?: string
  }
}

export interface Transport {
  /** the port the embedded broker bound (0 with an external broker) */
  port: number
  requestLogs(node: string, opts: LogOptions): LogLines
  isOnline(node: string): boolean
  /** the usage the nodes report */
  stats: NodeStats
  /** several planes: the live planes changed (NodeChannel.reown) */
  reown(): void
  /** stops the channel (no more writes), then the broker */
  close(): Promise<void>
}

export async function startTransport(o: TransportOptions): Promise<Transport> {
  if (o.external) return startOnExternal(o, o.external)
  let channel: NodeChannel | undefined
  const starting = startBroker({
    ...o.listen,
    tls: o.tls,
    authenticateNode: o.authenticateNode,
    log: o.log.child('broker'),
    attach: async (bus) => {
      channel = await NodeChannel.start({
        bus,
        objects: o.objects,
        resolveImage: o.resolveImage,
        log: o.log.child('nodes'),
        clock: o.clock ?? systemClock,
        leaseRenewMs: o.leaseRenewMs,
        embedded: true,
      })
    },
  })
  const broker = await starting.catch(async (err: unknown) => {
    await channel?.close() // the port could not be opened
    throw err
  })
  const ch = channel!
  return {
    port: broker.port,
    requestLogs: (node, opts) => ch.requestLogs(node, opts),
    isOnline: (node) => ch.isOnline(node),
    stats: ch.stats,
    reown: () => ch.reown(),
    async close() {
      await ch.close()
      await broker.bus.close()
      await broker.close()
    },
  }
}

async function startOnExternal(
  o: TransportOptions,
  ext: NonNullable<TransportOptions['external']>,
): Promise<Transport> {
  let channel: NodeChannel | undefined
  const bus = await connectExternalBus(ext.url, {
    ...ext,
    log: o.log.child('broker'),
    reconnected: () => channel?.resyncAll(),
  })
  try {
    channel = await NodeChannel.start({
      bus,
      objects: o.objects,
      resolveImage: o.resolveImage,
      log: o.log.child('nodes'),
      clock: o.clock ?? systemClock,
      leaseRenewMs: o.leaseRenewMs,
      owns: o.owns,
      servedBy: o.servedBy,
    })
  } catch (err) {
    await bus.close()
    throw err
  }
  const ch = channel
  return {
    port: 0,
    requestLogs: (node, opts) => ch.requestLogs(node, opts),
    isOnline: (node) => ch.isOnline(node),
    stats: ch.stats,
    reown: () => ch.reown(),
    async close() {
      await ch.close()
      await bus.close()
    },
  }
}
