// One table of cases — what node pi-1 may publish, what it can hear, who may log in — run against
// both brokers a plane can have: the embedded one (aedes with broker-rules.ts) and a real
// Mosquitto with the ACL and password file `shoal broker-config` writes (mosquitto-config.ts).
// Each is driven the same way, real MQTT.js clients over TLS on 127.0.0.1, and judged by what
// arrives, not by what the broker answers: Mosquitto 2.0 grants an MQTT 3.1.1 subscription its
// ACL refuses and delivers nothing through it (aedes answers SUBACK 0x80), and it drops a
// refused publish after acknowledging it (aedes cuts the connection).
// A case's outcome is read against a marker sent after it on an allowed path: once the marker
// is here, the case's message would have been too.
// Where they differ on purpose (not a case here): aedes also checks the online flag's payload
// ("1" or "0") and refuses a client id other than the username, where Mosquitto takes the
// username as the client id (use_username_as_clientid) and cannot look into payloads.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import { FROM_NODE, TO_NODE } from '../../src/api/index.ts'
import { memoryLogger } from '../../src/core/index.ts'
import { addNodeLogin } from '../../src/plane/broker-config.ts'
import { createTokenStore, ensurePki } from '../../src/plane/server/security/index.ts'
import { decidePublish } from '../../src/plane/transport/broker-rules.ts'
import { connectExternalBus, startBroker, type Bus } from '../../src/plane/transport/index.ts'
import { MOSQUITTO, startMosquitto } from './mosquitto.ts'
import { skipFileWithout } from '../peers.ts'

skipFileWithout(import.meta.url, 'mosquitto', existsSync(MOSQUITTO), 'apt-get install mosquitto')

const nodes = (n: string) => `shoal/v1/nodes/${n}`

/** pi-1 publishes `topic`: does the plane (subscribed to shoal/v1/nodes/#) get it? */
const PUBLISH: [topic: string, arrives: boolean][] = [
  ...FROM_NODE.filter((l) => l !== 'online').map((l): [string, boolean] => [
    nodes(`pi-1/${l}`),
    true,
  ]),
  ...TO_NODE.map((l): [string, boolean] => [nodes(`pi-1/${l}`), false]),
  ...FROM_NODE.filter((l) => l !== 'online').map((l): [string, boolean] => [
    nodes(`pi-2/${l}`),
    false,
  ]),
  ...TO_NODE.map((l): [string, boolean] => [nodes(`pi-2/${l}`), false]),
  [nodes('pi-1/unknown-leaf'), false],
  [nodes('pi-1/status/deeper'), false],
  [nodes('pi-1'), false],
  [nodes('pi-10/status'), false],
  [nodes('pi-1x/status'), false],
]

/** pi-1 subscribes `filter`; the plane publishes to `probe`: does pi-1 hear it? */
const HEAR: [filter: string, probe: string, heard: boolean][] = [
  ...TO_NODE.map((l): [string, string, boolean] => [nodes(`pi-1/${l}`), nodes(`pi-1/${l}`), true]),
  ...FROM_NODE.map((l): [string, string, boolean] => [
    nodes(`pi-1/${l}`),
    nodes(`pi-1/${l}`),
    false,
  ]),
  ...TO_NODE.map((l): [string, string, boolean] => [nodes(`pi-2/${l}`), nodes(`pi-2/${l}`), false]),
  ...FROM_NODE.map((l): [string, string, boolean] => [
    nodes(`pi-2/${l}`),
    nodes(`pi-2/${l}`),
    false,
  ]),
  [nodes('+/desired'), nodes('pi-2/desired'), false],
  [nodes('+/req'), nodes('pi-2/req'), false],
  [nodes('pi-2/#'), nodes('pi-2/mesh'), false],
  [nodes('pi-1/#'), nodes('pi-1/status'), false],
  [nodes('pi-1/+'), nodes('pi-1/hello'), false],
  [nodes('#'), nodes('pi-2/status-ack'), false],
  ['#', nodes('pi-2/desired'), false],
  ['shoal/#', nodes('pi-2/req'), false],
  ['+/+/+/+/+', nodes('pi-2/desired'), false],
]

/** pi-1's login: [username, password, client id] → accepted? */
type Tokens = { 'pi-1': string; 'pi-2': string }
const LOGIN: [what: string, login: (t: Tokens) => [string, string], ok: boolean][] = [
  ['its own token', (t) => ['pi-1', t['pi-1']], true],
  ['a wrong token', () => ['pi-1', 'shoal_wrong'], false],
  ["another node's token", (t) => ['pi-1', t['pi-2']], false],
  ['no username', (t) => ['', t['pi-1']], false],
  ['no password', () => ['pi-1', ''], false],
]

interface Harness {
  url: string
  ca: string
  tokens: Tokens
  /** the plane's side of the broker: publishes, and hears shoal/v1/nodes/# */
  bus: Bus
  close(): Promise<void>
}

function equivalence(name: string, start: (dir: string) => Promise<Harness>) {
  const t = suite(name)
  const dir = mkdtempSync(join(tmpdir(), `shoal-acl-${name}-`))
  let h: Harness | undefined
  const heard: [string, string][] = []
  let seq = 0

  t.before(async () => {
    try {
      h = await start(dir)
      await h.bus.subscribe('shoal/v1/nodes/#', (topic, p) =>
        heard.push([topic, Buffer.from(p).toString()]),
      )
    } catch (err) {
      await h?.close()
      rmSync(dir, { recursive: true, force: true })
      throw err
    }
  })
  t.after(async () => {
    await h?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const connect = (username: string, password: string) =>
    mqtt.connectAsync(h!.url, {
      username,
      password,
      clientId: username || 'anonymous',
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ca: h!.ca,
    })

  /** pi-1's login, retried while Mosquitto re-reads its password file after the SIGHUP */
  async function pi1(): Promise<MqttClient> {
    for (let i = 0; ; i++) {
      const c = await connect('pi-1', h!.tokens['pi-1']).catch((e: Error) => e)
      if (!(c instanceof Error)) return c
      if (i > 100) throw c
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  const until = async (what: () => boolean, label: string) => {
    const end = Date.now() + 15_000
    while (!what()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${label}`)
      await new Promise((r) => setTimeout(r, 10))
    }
  }

  t('logins', async () => {
    for (const [what, login, ok] of LOGIN) {
      const [user, password] = login(h!.tokens)
      const c = await connect(user, password).catch(() => undefined)
      assert.is(!!c, ok, `${name}: pi-1 with ${what}`)
      await c?.endAsync()
    }
  })

  t('what pi-1 publishes reaches the plane only on its own from-node leaves', async () => {
    const outcome: [string, boolean][] = []
    for (const [topic] of PUBLISH) {
      const id = `case-${++seq}`
      const c = await pi1()
      // acknowledged (Mosquitto, or aedes when allowed) or the connection cut (aedes refusing)
      await Promise.race([
        c.publishAsync(topic, id, { qos: 1 }).catch(() => undefined),
        new Promise<void>((r) => c.once('close', () => r())),
      ])
      c.end(true)
      const marker = await pi1()
      await marker.publishAsync(nodes('pi-1/heartbeat'), `marker-${id}`, { qos: 1 })
      await until(() => heard.some(([, p]) => p === `marker-${id}`), `the marker of ${topic}`)
      await marker.endAsync()
      outcome.push([topic, heard.some(([t, p]) => t === topic && p === id)])
    }
    assert.equal(outcome, PUBLISH, name)
  })

  t('what pi-1 can hear: its own to-node leaves, whatever it subscribes to', async () => {
    const outcome: [string, string, boolean][] = []
    for (const [filter, probe] of HEAR) {
      const id = `case-${++seq}`
      const c = await pi1()
      const got: [string, string][] = []
      c.on('message', (topic, p) => got.push([topic, String(p)]))
      await c.subscribeAsync(filter, { qos: 1 }).catch(() => undefined)
      await c.subscribeAsync(nodes('pi-1/desired'), { qos: 1 })
      await h!.bus.publish(probe, new TextEncoder().encode(id))
      await h!.bus.publish(nodes('pi-1/desired'), new TextEncoder().encode(`marker-${id}`))
      await until(() => got.some(([, p]) => p === `marker-${id}`), `the marker of ${filter}`)
      await c.endAsync()
      outcome.push([filter, probe, got.some(([t, p]) => t === probe && p === id)])
    }
    assert.equal(outcome, HEAR, name)
  })

  return t
}

{
  // the table agrees with the embedded broker's pure rule too (a cheap check of the table)
  const t = suite('broker-rules.ts')
  t('decidePublish agrees with the table', () => {
    for (const [topic, arrives] of PUBLISH) {
      const d = decidePublish('pi-1', { topic, payload: new Uint8Array([0x78]), retain: false })
      assert.is(d.ok, arrives, topic)
    }
  })
  t.run()
}

const log = memoryLogger()

equivalence('embedded', async (dir) => {
  const pki = ensurePki(dir)
  const store = createTokenStore(dir)
  const tokens = {
    'pi-1': store.issue({ role: 'node', node: 'pi-1' }),
    'pi-2': store.issue({ role: 'node', node: 'pi-2' }),
  }
  let bus!: Bus
  const broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    tls: { cert: pki.serverCert, key: pki.serverKey },
    authenticateNode: (node, password) => {
      const user = store.authenticate(`Bearer ${password}`)
      return user?.role === 'node' && user.node === node
    },
    log,
    attach: async (b) => {
      bus = b
    },
  })
  return {
    url: `mqtts://127.0.0.1:${broker.port}`,
    ca: pki.caCert,
    tokens,
    bus,
    close: () => broker.close(),
  }
}).run()

equivalence('mosquitto', async (dir) => {
  const broker = await startMosquitto(dir)
  const tokens = { 'pi-1': 'shoal_token-of-pi-1', 'pi-2': 'shoal_token-of-pi-2' }
  try {
    for (const [node, token] of Object.entries(tokens))
      await addNodeLogin(broker.login.passwordFile, node, token)
    broker.reload()
    const bus = await connectExternalBus(broker.url, { ...broker.login, ca: broker.ca, log })
    return {
      url: broker.url,
      ca: broker.ca,
      tokens,
      bus,
      close: async () => {
        await bus.close()
        await broker.stop()
      },
    }
  } catch (err) {
    await broker.stop()
    throw err
  }
}).run()
