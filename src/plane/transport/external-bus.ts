// A Bus over an external MQTT broker (`shoal plane --mqtt mqtt[s]://broker:port`): an mqtt.js
// client, so the node channel runs unchanged against Mosquitto or a clustered broker.
// - The plane logs in with its own credentials (PLANE_USER and a password, or a client
//   certificate; the broker's ACL gives it shoal/v1/nodes/# and each node only its own subtree:
//   mosquitto-config.ts).
// - Clean session: the broker keeps nothing for the plane. The store is the source of truth:
//   after every connect but the first the plane resubscribes, then `reconnected` is called and
//   the node channel sends every node its whole desired state again (what nodes sent while the
//   plane was away comes again: statuses are resent until acknowledged, heartbeats recur).
// - QoS 1 both ways, never retained. publish() is refused at once while the link is down
//   (UnavailableError) instead of queueing: a stale desired state must not go out late.
// - Nagle off on the socket (research/mqtt.md); reconnects every second, for ever.
import type { Socket } from 'node:net'
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import { BadRequestError, UnavailableError, type Logger } from '../../core/index.ts'
import type { Bus, BusHandler } from './bus.ts'
import { PLANE_USER } from './mosquitto-config.ts'

export interface ExternalBusOptions {
  /** default PLANE_USER */
  username?: string
  password?: string
  /** PEM of the CA(s) that may sign the broker's certificate (mqtts); default: the system's */
  ca?: string | string[]
  /** PEM of a client certificate and its key (mqtts): for a broker that logs the plane in by
   * its certificate (Mosquitto's require_certificate + use_identity_as_username) */
  cert?: string
  key?: string
  log: Logger
  /** the link came back after a loss (subscriptions already renewed) */
  reconnected?(): void
  /** the MQTT client id (default the username; several planes each need their own) */
  clientId?: string
  /** the first connect gives up after this long (default 15 s) */
  connectTimeoutMs?: number
}

export interface ExternalBus extends Bus {
  /** the broker's URL without credentials */
  url: string
  readonly connected: boolean
}

/** checks the URL: mqtt:// or mqtts://, a host, a port; credentials in it are taken out */
export function parseBrokerUrl(
  url: string,
  flag = '--mqtt',
): { url: string; username?: string; password?: string } {
  const u = URL.canParse(url) ? new URL(url) : undefined
  if (!u || (u.protocol !== 'mqtt:' && u.protocol !== 'mqtts:') || !u.hostname)
    throw new BadRequestError(
      `plane: ${flag} must be an mqtt://HOST:PORT or mqtts://HOST:PORT URL, not "${url}"`,
    )
  const port = u.port || (u.protocol === 'mqtts:' ? '8883' : '1883')
  return {
    url: `${u.protocol}//${u.hostname}:${port}`,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
  }
}

/** topic filter match, MQTT rules ("+" one level, "#" the rest) */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/')
  const t = topic.split('/')
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false
  }
  return f.length === t.length
}

export async function connectExternalBus(url: string, o: ExternalBusOptions): Promise<ExternalBus> {
  const parsed = parseBrokerUrl(url)
  const options: IClientOptions = {
    protocolVersion: 4,
    clientId: o.clientId ?? o.username ?? parsed.username ?? PLANE_USER,
    username: o.username ?? parsed.username ?? PLANE_USER,
    password: o.password ?? parsed.password,
    clean: true,
    resubscribe: false, // renewed here, then the channel resyncs
    reconnectPeriod: 1000,
    connectTimeout: o.connectTimeoutMs ?? 15_000,
    keepalive: 30,
    queueQoSZero: false,
    writeCache: false, // mqtt-packet's 6 MB table of numbers (see broker.ts)
    ...(o.ca ? { ca: o.ca } : {}),
    ...(o.cert && o.key ? { cert: o.cert, key: o.key } : {}),
  }
  const client = mqtt.connect(parsed.url, options)
  try {
    await firstConnect(client, parsed.url, options.connectTimeout!)
  } catch (err) {
    client.end(true)
    throw err
  }
  return new MqttBus(client, parsed.url, o)
}

function firstConnect(client: MqttClient, url: string, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (why: string, cause?: Error) =>
      reject(
        new UnavailableError(`transport: cannot connect to the broker at ${url}: ${why}`, {
          cause,
        }),
      )
    const timer = setTimeout(() => fail(`no answer in ${ms} ms`), ms)
    client.once('connect', () => {
      clearTimeout(timer)
      resolve()
    })
    client.once('error', (err) => {
      clearTimeout(timer)
      fail(err.message, err)
    })
  })
}

class MqttBus implements ExternalBus {
  readonly url: string
  readonly #client: MqttClient
  readonly #o: ExternalBusOptions
  readonly #subs: { pattern: string; handler: BusHandler }[] = []
  #closed = false
  #down = false
  #lastError: string | undefined

  constructor(client: MqttClient, url: string, o: ExternalBusOptions) {
    this.url = url
    this.#client = client
    this.#o = o
    noDelay(client)
    client.on('message', (topic, payload) => this.#deliver(topic, payload))
    client.on('connect', () => void this.#reconnected())
    client.on('close', () => {
      if (this.#closed || this.#down) return
      this.#down = true // logged once an outage, not once a retry
      o.log.warn('broker link lost; reconnecting every second', { url })
    })
    client.on('error', (err) => {
      if (err.message === this.#lastError) return
      this.#lastError = err.message
      o.log.warn('broker link error', { url, err: err.message })
    })
  }

  get connected(): boolean {
    return this.#client.connected
  }

  publish(topic: string, payload: Uint8Array): Promise<void> {
    if (this.#closed || !this.#client.connected)
      return Promise.reject(new UnavailableError(`transport: no link to the broker at ${this.url}`))
    const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)
    return this.#client.publishAsync(topic, bytes, { qos: 1, retain: false }).then(() => undefined)
  }

  async subscribe(pattern: string, handler: BusHandler): Promise<void> {
    this.#subs.push({ pattern, handler })
    await this.#subscribeOn(pattern)
  }

  async close(): Promise<void> {
    this.#closed = true
    await this.#client.endAsync()
  }

  async #subscribeOn(pattern: string): Promise<void> {
    const granted = await this.#client.subscribeAsync(pattern, { qos: 1 })
    if (granted.some((g) => g.qos === 128))
      throw new UnavailableError(
        `transport: the broker at ${this.url} refused the plane's subscription to ${pattern} (its ACL must give ${PLANE_USER} shoal/v1/nodes/#)`,
      )
  }

  #deliver(topic: string, payload: Buffer): void {
    for (const s of this.#subs) {
      if (!topicMatches(s.pattern, topic)) continue
      try {
        s.handler(topic, new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength))
      } catch (err) {
        this.#o.log.error('bus handler failed', { topic, err: String(err) })
      }
    }
  }

  async #reconnected(): Promise<void> {
    this.#down = false
    this.#lastError = undefined
    noDelay(this.#client)
    this.#o.log.info('broker link back; resubscribing and resending desired states', {
      url: this.url,
    })
    try {
      for (const pattern of new Set(this.#subs.map((s) => s.pattern)))
        await this.#subscribeOn(pattern)
    } catch (err) {
      this.#o.log.error('could not resubscribe; reconnecting', { err: String(err) })
      this.#client.stream?.destroy()
      return
    }
    this.#o.reconnected?.()
  }
}

function noDelay(client: MqttClient): void {
  ;(client.stream as Socket | undefined)?.setNoDelay?.(true)
}
