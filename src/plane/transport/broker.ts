// The embedded MQTT broker (aedes, MQTT 3.1.1) on its own TLS port, and the in-process Bus the
// plane uses on it (aedes.publish / aedes.subscribe: no network client). Who may connect and
// do what is decided in broker-rules.ts; this file applies it to aedes' hooks.
import { Readable } from 'node:stream'
import { createServer, type Server, type TLSSocket } from 'node:tls'
import type { AddressInfo } from 'node:net'
import { Aedes, type AedesOptions, type Client } from 'aedes'
import * as mqttPacket from 'mqtt-packet'
import { MAX_MESSAGE_BYTES } from '../../api/index.ts'
import { UnavailableError, type Logger } from '../../core/index.ts'
import type { Bus, BusHandler } from './bus.ts'
import { decideConnect, decidePublish, decideSubscribe } from './broker-rules.ts'
import { limitPackets } from './packet-limit.ts'
import { limitUnsent } from './send-limit.ts'

export interface BrokerOptions {
  host: string
  port: number
  /** the plane's serving certificate and key (PEM): the same CA as the API */
  tls: { cert: string; key: string }
  /** is `password` a bearer token of node `node`? */
  authenticateNode(node: string, password: string): boolean
  log: Logger
  /** a node's connection is cut when this many bytes wait unsent to it (default: one packet
   * of the largest size; see send-limit.ts) */
  maxUnsentBytes?: number
  /** runs before the port opens: the plane subscribes here, so no node's first message is lost */
  attach?(bus: Bus): Promise<void>
}

export interface EmbeddedBroker {
  bus: Bus
  /** the port bound (the one asked for, or the one the system chose for port 0) */
  port: number
  close(): Promise<void>
}

const LIMITS: AedesOptions = {
  // One frozen subscriber stalls every aedes delivery while aedes waits for its socket to drain
  // (research/mqtt.md: a healthy subscriber got nothing for 9.3 of 10 s; aedes waits 60 s by
  // default). aedes never waits here: a node's writes are never back-pressured and a node that
  // falls maxUnsentBytes behind is cut (send-limit.ts); this is only a backstop. A node cut off
  // reconnects, says hello and is sent its desired state again — the channel never relies on
  // the broker delivering anything.
  drainTimeout: 1000,
  // a connection that has not sent CONNECT within 10 s is closed (default 30 s)
  connectTimeout: 10_000,
  // keepalive 1–300 s; 0 (never) is refused: a half-open connection must end in the Last Will
  keepaliveLimit: 300,
  // shoal/v1/nodes/<node>/<leaf> has 5 levels
  maxTopicLevels: 8,
}
/** a TLS handshake not done in 10 s is dropped (Node's default is 120 s) */
const HANDSHAKE_MS = 10_000
/** the largest MQTT packet taken: a message and room for its topic */
const MAX_PACKET_BYTES = MAX_MESSAGE_BYTES + 64 * 1024

export async function startBroker(o: BrokerOptions): Promise<EmbeddedBroker> {
  // aedes writes with mqtt-packet, whose default makes a Buffer for each of the 65,536 two-byte
  // numbers on its first write: 6 MB of heap for packet ids it could write in place
  mqttPacket.writeToStream.cacheNumbers = false
  const aedes = await Aedes.createBroker({ ...LIMITS, ...hooks(o) })
  retainedByTopic(aedes)
  const emitter = aedes as unknown as NodeJS.EventEmitter // its types omit 'error'
  // aedes emits 'error' when its persistence fails; unhandled, that would end the process
  emitter.on('error', (err: Error) => o.log.error('broker error', { err: err.message }))
  aedes.on('clientError', (client: Client, err: Error) =>
    o.log.debug('client error', { client: client.id, err: err.message }),
  )
  const server: Server = createServer(
    { cert: o.tls.cert, key: o.tls.key, handshakeTimeout: HANDSHAKE_MS },
    (socket: TLSSocket) => {
      socket.setNoDelay(true) // small control messages: no 40 ms wait for a delayed ACK
      const unsent = limitUnsent(socket, o.maxUnsentBytes ?? MAX_PACKET_BYTES)
      const conn = limitPackets(socket, MAX_PACKET_BYTES, unsent)
      remotes.set(conn, socket.remoteAddress)
      conn.on('error', (err) => {
        const level = err.message.startsWith('transport:') ? 'warn' : 'debug'
        o.log[level]('connection ended', { err: err.message, from: socket.remoteAddress })
      })
      aedes.handle(conn)
    },
  )
  server.on('tlsClientError', (err) => o.log.debug('TLS handshake failed', { err: err.message }))
  const bus = inProcessBus(aedes, o.log)
  const close = () => closeBroker(aedes, server)
  try {
    await o.attach?.(bus)
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(o.port, o.host, () => resolve())
    })
  } catch (err) {
    await close()
    throw err
  }
  return { bus, port: (server.address() as AddressInfo).port, close }
}

function hooks(o: BrokerOptions): AedesOptions {
  const nodes = new WeakMap<Client, string>()
  return {
    authenticate(client, username, password, done) {
      const d = decideConnect({ clientId: client.id, username, password }, o.authenticateNode)
      if (d.ok) {
        nodes.set(client, d.node)
        return done(null, true)
      }
      o.log.warn('node connection refused', { client: client.id, why: d.why, from: remote(client) })
      done(Object.assign(new Error(`transport: ${d.why}`), { returnCode: d.code }), false)
    },
    authorizePublish(client, packet, done) {
      const node = client ? nodes.get(client) : undefined
      if (client && node === undefined) return done(new Error('transport: not authenticated'))
      const payload =
        typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload
      const d = decidePublish(node, { topic: packet.topic, payload, retain: packet.retain })
      if (!d.ok) {
        o.log.warn('publish refused', { node, topic: packet.topic.slice(0, 200), why: d.why })
        return done(new Error(`transport: ${d.why}`))
      }
      packet.retain = d.retain
      done(null)
    },
    authorizeSubscribe(client, sub, done) {
      const node = nodes.get(client)
      if (decideSubscribe(node, sub.topic)) return done(null, sub)
      o.log.warn('subscription refused', { node, topic: sub.topic.slice(0, 200) })
      done(null, null) // SUBACK 0x80 for this topic; the connection stays
    },
  }
}

/** the part of aedes' persistence touched here (its types do not declare it) */
interface RetainedStore {
  storeRetained(
    packet: { topic: string; payload: Buffer },
    cb?: (err?: Error | null) => void,
  ): unknown
  createRetainedStreamCombi(patterns: string[]): Readable
}

/** A subscription without wildcards finds its topic's retained message by one lookup. aedes'
 * memory persistence tests every retained message against each subscribed pattern: each node
 * retains its online flag and subscribes to 3 topics, so a fleet's reconnect was
 * nodes × 3 × nodes pattern tests (1.6 s of a 1,000-node plane's restart). The node topics have
 * no wildcards; a pattern with one still goes to aedes' own search. */
export function retainedByTopic(aedes: Aedes): void {
  const p = (aedes as unknown as { persistence: RetainedStore }).persistence
  const retained = new Map<string, { topic: string; payload: Buffer }>()
  const store = p.storeRetained.bind(p)
  const search = p.createRetainedStreamCombi.bind(p)
  p.storeRetained = (packet, cb) => {
    // as the memory persistence keeps it: a copy, and an empty payload clears the topic
    if (packet.payload.length === 0) retained.delete(packet.topic)
    else retained.set(packet.topic, { ...packet })
    return store(packet, cb)
  }
  p.createRetainedStreamCombi = (patterns) => {
    if (patterns.some((t) => t.includes('+') || t.includes('#'))) return search(patterns)
    return Readable.from(patterns.flatMap((t) => retained.get(t) ?? []))
  }
}

const remotes = new WeakMap<object, string | undefined>()
const remote = (client: Client) => remotes.get(client.conn)

function inProcessBus(aedes: Aedes, log: Logger): Bus {
  const subscriptions: [string, Parameters<Aedes['subscribe']>[1]][] = []
  return {
    publish: (topic, payload) =>
      new Promise((resolve, reject) => {
        if (aedes.closed) return reject(new UnavailableError('transport: the broker is closed'))
        const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)
        aedes.publish(
          { cmd: 'publish', topic, payload: bytes, qos: 1, retain: false, dup: false },
          (err) => (err ? reject(err) : resolve()),
        )
      }),
    subscribe: (pattern, handler: BusHandler) =>
      new Promise((resolve) => {
        const deliver: Parameters<Aedes['subscribe']>[1] = (packet, cb) => {
          cb() // never hold aedes' delivery on the plane's work
          try {
            const p = packet.payload
            handler(packet.topic, typeof p === 'string' ? Buffer.from(p) : p)
          } catch (err) {
            log.error('bus handler failed', { topic: packet.topic, err: String(err) })
          }
        }
        subscriptions.push([pattern, deliver])
        aedes.subscribe(pattern, deliver, () => resolve())
      }),
    close: async () => {
      for (const [pattern, deliver] of subscriptions.splice(0))
        await new Promise<void>((resolve) => aedes.unsubscribe(pattern, deliver, () => resolve()))
    },
  }
}

async function closeBroker(aedes: Aedes, server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) =>
    server.listening ? server.close(() => resolve()) : resolve(),
  )
  await new Promise<void>((resolve) => aedes.close(() => resolve())) // ends every client
  await closed
}
