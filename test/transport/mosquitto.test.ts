// The plane's Bus over an external broker — a real Mosquitto started with the config
// `shoal broker-config` writes — and the nodes confined there by its ACL and password file: real
// MQTT.js clients on 127.0.0.1 over TLS (the broker's certificate signed by the plane's CA), the
// broker killed with -9 and started again.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import { isShoalError, memoryLogger } from '../../src/core/index.ts'
import { addNodeLogin } from '../../src/plane/broker-config.ts'
import { connectExternalBus, type ExternalBus } from '../../src/plane/transport/index.ts'
import { MOSQUITTO, startMosquitto, type Mosquitto } from './mosquitto.ts'
import { skipFileWithout } from '../peers.ts'

skipFileWithout(import.meta.url, 'mosquitto', existsSync(MOSQUITTO), 'apt-get install mosquitto')

const dir = mkdtempSync(join(tmpdir(), 'shoal-mosquitto-'))
const log = memoryLogger()
const tokens = { 'pi-1': 'shoal_token-of-pi-1', 'pi-2': 'shoal_token-of-pi-2' }
let broker: Mosquitto
let bus: ExternalBus
let reconnects = 0
const received: [string, string][] = []

test.before(async () => {
  broker = await startMosquitto(dir)
  for (const [node, token] of Object.entries(tokens))
    await addNodeLogin(broker.login.passwordFile, node, token)
  broker.reload()
  bus = await connectExternalBus(broker.url, {
    ...broker.login,
    ca: broker.ca,
    log,
    reconnected: () => reconnects++,
  })
  for (const leaf of ['status', 'online'])
    await bus.subscribe(`shoal/v1/nodes/+/${leaf}`, (topic, payload) =>
      received.push([topic, Buffer.from(payload).toString()]),
    )
})

test.after(async () => {
  await bus?.close()
  await broker?.stop()
  rmSync(dir, { recursive: true, force: true })
})

function connect(node: string, password: string, extra: mqtt.IClientOptions = {}) {
  return mqtt.connectAsync(broker.url, {
    username: node,
    password,
    clientId: node,
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ca: broker.ca,
    ...extra,
  })
}

/** a node's login, retried while Mosquitto re-reads its password file after the SIGHUP */
async function connectNode(node: keyof typeof tokens): Promise<MqttClient> {
  for (let i = 0; ; i++) {
    const c = await connect(node, tokens[node]).catch((e: Error) => e)
    if (!(c instanceof Error)) return c
    if (i > 100) throw c
    await new Promise((r) => setTimeout(r, 50))
  }
}

const until = async (what: () => boolean, ms = 5000) => {
  const end = Date.now() + ms
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}

test('the plane publishes to a node and hears it on its own leaves, over Mosquitto', async () => {
  const c = await connectNode('pi-1')
  await c.subscribeAsync('shoal/v1/nodes/pi-1/desired', { qos: 1 })
  const got = new Promise<string>((resolve) => c.once('message', (_t, p) => resolve(String(p))))
  await bus.publish('shoal/v1/nodes/pi-1/desired', new TextEncoder().encode('state'))
  assert.is(await got, 'state')
  await c.publishAsync('shoal/v1/nodes/pi-1/status', 'report', { qos: 1 })
  await until(() => received.some(([t, p]) => t === 'shoal/v1/nodes/pi-1/status' && p === 'report'))
  await c.endAsync()
})

test("a node hears only its own to-node leaves, whatever it subscribes to (Mosquitto's ACL)", async () => {
  const c = await connectNode('pi-1')
  // Mosquitto 2.0 grants an MQTT 3.1.1 subscription its ACL does not allow and then delivers
  // nothing through it: what a node can hear is what is asserted
  for (const topic of [
    'shoal/v1/nodes/pi-1/desired',
    'shoal/v1/nodes/pi-2/desired',
    'shoal/v1/nodes/+/desired',
    'shoal/v1/nodes/+/req',
    'shoal/v1/nodes/#',
    '#',
  ])
    await c.subscribeAsync(topic, { qos: 1 }).catch(() => undefined)
  const heard = new Set<string>()
  c.on('message', (t) => heard.add(t))
  const bytes = new TextEncoder().encode('x')
  for (const topic of [
    'shoal/v1/nodes/pi-2/desired',
    'shoal/v1/nodes/pi-2/req',
    'shoal/v1/nodes/pi-2/status-ack',
    'shoal/v1/nodes/pi-1/status', // its own, but a leaf the node only publishes to
    'shoal/v1/nodes/pi-1/desired', // last: once it is here, the others would have been
  ])
    await bus.publish(topic, bytes)
  await until(() => heard.has('shoal/v1/nodes/pi-1/desired'))
  assert.equal([...heard], ['shoal/v1/nodes/pi-1/desired'])
  await c.endAsync()
})

test("a node's publish on another node's leaf, or on its own desired, never reaches anyone", async () => {
  const spy = await connectNode('pi-2')
  await spy.subscribeAsync('shoal/v1/nodes/pi-2/desired', { qos: 1 })
  const spied: string[] = []
  spy.on('message', (t) => spied.push(t))
  received.length = 0
  // Mosquitto drops (or ends the connection of) a publish its ACL refuses: each on its own link
  for (const topic of [
    'shoal/v1/nodes/pi-2/status',
    'shoal/v1/nodes/pi-2/desired',
    'shoal/v1/nodes/pi-1/desired',
  ]) {
    const c = await connectNode('pi-1')
    c.publish(topic, 'forged', { qos: 1 })
    await new Promise((r) => setTimeout(r, 100))
    c.end(true)
  }
  const c = await connectNode('pi-1')
  await c.publishAsync('shoal/v1/nodes/pi-1/status', 'mine', { qos: 1 })
  await until(() => received.length > 0)
  assert.equal(received, [['shoal/v1/nodes/pi-1/status', 'mine']])
  assert.equal(spied, [])
  await c.endAsync()
  await spy.endAsync()
})

test("wrong token, another node's token, no login: refused; the client id is the username", async () => {
  for (const [node, password] of [
    ['pi-1', 'shoal_wrong'],
    ['pi-1', tokens['pi-2']],
    ['', 'x'],
  ]) {
    const err = await connect(node, password).then(
      (c) => (c.end(true), undefined),
      (e: Error) => e,
    )
    assert.ok(err && /Not authorized|Bad user/i.test(err.message), `${node}: ${err?.message}`)
  }
  // pi-1 claiming client id pi-2 is still pi-1 (use_username_as_clientid): it cannot end
  // pi-2's session by taking its id
  const pi2 = await connectNode('pi-2')
  const c = await connect('pi-1', tokens['pi-1'], { clientId: 'pi-2' })
  await new Promise((r) => setTimeout(r, 200))
  assert.ok(pi2.connected, "pi-2's session stays")
  await c.endAsync()
  await pi2.endAsync()
})

test('the plane with a wrong password gets a clear error', async () => {
  const err = await connectExternalBus(broker.url, {
    username: 'shoal-plane',
    password: 'wrong',
    ca: broker.ca,
    log,
    connectTimeoutMs: 5000,
  }).then(
    async (b) => (await b.close(), undefined),
    (e: Error) => e,
  )
  assert.ok(err && /cannot connect to the broker at mqtts:\/\/127\.0\.0\.1:\d+/.test(err.message))
})

test('a bad URL is refused with what is wrong', async () => {
  for (const url of ['http://x:1', 'broker:1883', 'mqtt://'])
    await connectExternalBus(url, { log }).then(
      () => assert.unreachable(url),
      (e: Error) => assert.match(e.message, /--mqtt must be an mqtt:\/\/HOST:PORT/),
    )
})

test('broker killed -9: publish refused while down; back, the bus resubscribes and says so', async () => {
  const before = reconnects
  await broker.kill()
  await until(() => !bus.connected)
  const err = await bus.publish('shoal/v1/nodes/pi-1/desired', new Uint8Array([1])).then(
    () => undefined,
    (e: Error) => e,
  )
  assert.ok(err && isShoalError(err, 'Unavailable'), String(err))
  await broker.start()
  await until(() => reconnects > before, 15_000)
  received.length = 0
  const c = await connectNode('pi-1')
  await c.publishAsync('shoal/v1/nodes/pi-1/status', 'after', { qos: 1 })
  await until(() => received.some(([, p]) => p === 'after'))
  await c.endAsync()
})

test.run()
