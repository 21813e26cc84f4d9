// The MQTT link to the plane (the one file that imports mqtt): MQTT 3.1.1 over TLS trusting only
// the plane's CA (and an external broker's CA the join answer named), username = node name, password = node token, client id = node name, clean
// session (nothing relies on the broker's memory: the plane resends desired state, the agent its
// statuses), Nagle off (small control messages must not wait for a delayed ACK), Last Will
// "0" retained on the node's online topic, "1" retained once connected; then the node's three
// inbound leaves are subscribed at QoS 1 and `connected` is called. A lost link is retried for
// ever with exponential back-off and jitter (so a fleet does not reconnect in step); while down,
// send() drops and says so. close() publishes "0" (a clean DISCONNECT fires no Will) and ends.
import type { TLSSocket } from 'node:tls'
import mqtt, { type MqttClient } from 'mqtt'
import {
  nodeClientId,
  nodeTopic,
  OFFLINE,
  ONLINE,
  TO_NODE,
  type FromNodeLeaf,
  type ToNodeLeaf,
} from '../api/index.ts'
import type { Logger } from '../core/index.ts'
import { Backoff, type BackoffOptions } from './backoff.ts'
import type { Channel, ChannelHandlers, Credentials } from './types.ts'

export interface MqttChannelOptions {
  credentials: Credentials
  log: Logger
  /** seconds between MQTT pings (1–300; default 30) */
  keepaliveSeconds?: number
  reconnect?: BackoffOptions
}

/** 1 s doubling to 30 s, ± 20 %; only a successful connect resets it */
const RECONNECT: BackoffOptions = {
  initialMs: 1000,
  maxMs: 30_000,
  resetAfterMs: Number.POSITIVE_INFINITY,
  jitter: 0.2,
}

export class MqttChannel implements Channel {
  readonly #o: MqttChannelOptions
  readonly #backoff: Backoff
  #client: MqttClient | undefined
  #handlers: ChannelHandlers | undefined
  #timer: NodeJS.Timeout | undefined
  #closing = false
  #up = false
  #lastError: string | undefined

  constructor(o: MqttChannelOptions) {
    this.#o = o
    this.#backoff = new Backoff(o.reconnect ?? RECONNECT)
  }

  get connected(): boolean {
    return this.#up
  }

  open(handlers: ChannelHandlers): void {
    this.#handlers = handlers
    const { node, token, caCert, mqtt: url, mqttCa } = this.#o.credentials
    const client = mqtt.connect(url, {
      protocolVersion: 4,
      clientId: nodeClientId(node),
      username: node,
      password: token,
      clean: true,
      keepalive: this.#o.keepaliveSeconds ?? 30,
      reconnectPeriod: 0, // this class reconnects, with back-off
      connectTimeout: 15_000,
      // mqtt-packet's default makes a Buffer for each of the 65,536 two-byte numbers on its first
      // write: 6 MB of heap, a quarter of the agent's whole budget; a 2-byte write costs nothing
      writeCache: false,
      ca: mqttCa ? [caCert, mqttCa] : caCert, // an external broker's own CA, if it has one
      rejectUnauthorized: true,
      will: {
        topic: nodeTopic(node, 'online'),
        payload: Buffer.from(OFFLINE),
        qos: 1,
        retain: true,
      },
    })
    this.#client = client
    client.on('connect', () => void this.#onConnect(client))
    client.on('message', (topic, payload) => this.#onMessage(topic, payload))
    client.on('close', () => this.#onClose())
    client.on('error', (error) => {
      if (error.message === this.#lastError) return // once per outage, not once per retry
      this.#lastError = error.message
      this.#o.log.warn('mqtt: link error', { url, error: error.message })
    })
  }

  async #onConnect(client: MqttClient): Promise<void> {
    ;(client.stream as TLSSocket | undefined)?.setNoDelay?.(true)
    const node = this.#o.credentials.node
    try {
      await client.publishAsync(nodeTopic(node, 'online'), ONLINE, { qos: 1, retain: true })
      await client.subscribeAsync(
        TO_NODE.map((leaf) => nodeTopic(node, leaf)),
        { qos: 1 },
      )
    } catch (error) {
      this.#o.log.warn('mqtt: could not announce or subscribe; reconnecting', {
        error: (error as Error).message,
      })
      client.end(true)
      return
    }
    this.#backoff.reset()
    this.#lastError = undefined
    this.#up = true
    this.#o.log.info('mqtt: connected', { url: this.#o.credentials.mqtt })
    this.#handlers?.connected()
  }

  #onMessage(topic: string, payload: Buffer): void {
    const leaf = topic.slice(topic.lastIndexOf('/') + 1)
    if (topic !== nodeTopic(this.#o.credentials.node, leaf as ToNodeLeaf)) return
    this.#handlers?.message(leaf as ToNodeLeaf, new Uint8Array(payload))
  }

  #onClose(): void {
    const wasUp = this.#up
    this.#up = false
    if (wasUp) {
      this.#o.log.warn('mqtt: link lost; reconnecting')
      this.#handlers?.disconnected()
    }
    if (this.#closing || this.#timer) return
    const delay = this.#backoff.next()
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      if (!this.#closing) this.#client?.reconnect()
    }, delay)
  }

  send(leaf: FromNodeLeaf, payload: Uint8Array): boolean {
    if (!this.#up || !this.#client) return false
    const topic = nodeTopic(this.#o.credentials.node, leaf)
    this.#client.publish(topic, Buffer.from(payload), { qos: 1 }, (error) => {
      if (error)
        this.#o.log.debug('mqtt: a publish did not complete', { topic, error: error.message })
    })
    return true
  }

  async close(): Promise<void> {
    this.#closing = true
    clearTimeout(this.#timer)
    const client = this.#client
    if (!client) return
    if (this.#up) {
      const topic = nodeTopic(this.#o.credentials.node, 'online')
      await Promise.race([
        client.publishAsync(topic, OFFLINE, { qos: 1, retain: true }).catch(() => undefined),
        new Promise((r) => setTimeout(r, 2000)),
      ])
    }
    this.#up = false
    await client.endAsync(true).catch(() => undefined)
  }
}
