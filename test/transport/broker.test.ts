// The embedded broker with real MQTT.js clients over TLS on 127.0.0.1: who may connect, what a
// node may publish and subscribe, and the Last Will reaching the plane.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect as tlsConnect } from 'node:tls'
import mqtt, { type MqttClient } from 'mqtt'
import { memoryLogger } from '../../src/core/index.ts'
import { createTokenStore, ensurePki } from '../../src/plane/server/security/index.ts'
import { startBroker, type EmbeddedBroker } from '../../src/plane/transport/index.ts'

const dir = mkdtempSync(join(tmpdir(), 'shoal-broker-'))
const pki = ensurePki(dir)
const tokens = createTokenStore(dir)
const pi1 = tokens.issue({ role: 'node', node: 'pi-1' })
const pi2 = tokens.issue({ role: 'node', node: 'pi-2' })
const admin = tokens.issue({ role: 'admin', user: 'root' })
const log = memoryLogger()
const received: [string, string][] = []
let broker: EmbeddedBroker

test.before(async () => {
  broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    tls: { cert: pki.serverCert, key: pki.serverKey },
    authenticateNode: (node, password) => {
      const user = tokens.authenticate(`Bearer ${password}`)
      return user?.role === 'node' && user.node === node
    },
    log,
    attach: async (bus) => {
      for (const leaf of ['status', 'online'])
        await bus.subscribe(`shoal/v1/nodes/+/${leaf}`, (topic, payload) =>
          received.push([topic, Buffer.from(payload).toString()]),
        )
    },
  })
})

test.after(async () => {
  await broker.close()
  rmSync(dir, { recursive: true, force: true })
})

const url = () => `mqtts://127.0.0.1:${broker.port}`

function connect(
  node: string,
  password: string,
  extra: mqtt.IClientOptions = {},
): Promise<MqttClient> {
  return mqtt.connectAsync(url(), {
    ca: pki.caCert,
    username: node,
    password,
    clientId: node,
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...extra,
  })
}

const until = async (what: () => boolean, ms = 3000) => {
  const end = Date.now() + ms
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}

const closed = (c: MqttClient) => new Promise<void>((resolve) => c.once('close', () => resolve()))

test("a node's credentials connect; it may subscribe only to its own to-node leaves", async () => {
  const c = await connect('pi-1', pi1)
  const topics = [
    'shoal/v1/nodes/pi-1/desired',
    'shoal/v1/nodes/pi-1/req',
    'shoal/v1/nodes/pi-2/desired',
    'shoal/v1/nodes/+/desired',
    'shoal/v1/nodes/pi-1/#',
    'shoal/v1/nodes/pi-1/status',
    '#',
  ]
  const granted: (number | 'refused')[] = []
  for (const topic of topics) {
    // MQTT.js turns a SUBACK failure (0x80) into an error
    const qos = await c.subscribeAsync(topic, { qos: 1 }).then(
      (g) => g[0]!.qos,
      () => 'refused' as const,
    )
    granted.push(qos)
  }
  assert.equal(granted, [1, 1, 'refused', 'refused', 'refused', 'refused', 'refused'])
  assert.ok(c.connected, 'a refused subscription does not end the connection')
  await c.endAsync()
})

test('the plane reaches a node in-process; a node reaches the plane on its own leaves', async () => {
  const c = await connect('pi-1', pi1)
  await c.subscribeAsync('shoal/v1/nodes/pi-1/desired', { qos: 1 })
  const got = new Promise<string>((resolve) => c.once('message', (_t, p) => resolve(String(p))))
  await broker.bus.publish('shoal/v1/nodes/pi-1/desired', new TextEncoder().encode('state'))
  assert.is(await got, 'state')
  await c.publishAsync('shoal/v1/nodes/pi-1/status', 'report', { qos: 1 })
  await until(() => received.some(([t, p]) => t === 'shoal/v1/nodes/pi-1/status' && p === 'report'))
  await c.endAsync()
})

test("publishing on another node's topic, or on its own desired, ends the connection unheard", async () => {
  for (const topic of ['shoal/v1/nodes/pi-2/status', 'shoal/v1/nodes/pi-1/desired', 'elsewhere']) {
    received.length = 0
    const c = await connect('pi-1', pi1)
    const gone = closed(c)
    c.publish(topic, 'forged', { qos: 1 })
    await gone
    await new Promise((r) => setTimeout(r, 50))
    assert.equal(received, [], topic)
    c.end(true)
  }
  assert.ok(log.lines.some((l) => l.msg === 'publish refused' && l.fields?.node === 'pi-1'))
})

test('wrong password, another node’s token, another client id, a non-node token: refused', async () => {
  const cases: [string, string, string, RegExp][] = [
    ['pi-1', 'shoal_wrong', 'pi-1', /Bad username or password/],
    ['pi-1', pi2, 'pi-1', /Bad username or password/],
    ['pi-1', admin, 'pi-1', /Bad username or password/],
    ['pi-1', pi1, 'pi-2', /Identifier rejected/],
    ['', pi1, 'x', /Bad username or password/],
  ]
  for (const [node, password, clientId, want] of cases) {
    const err = await connect(node, password, { clientId }).then(
      (c) => (c.end(true), undefined),
      (e: Error) => e,
    )
    assert.ok(err, `${node} ${clientId} must be refused`)
    assert.match(err.message, want)
  }
})

test('the Last Will "0" reaches the plane when the node\'s socket is destroyed', async () => {
  received.length = 0
  const c = await connect('pi-1', pi1, {
    keepalive: 30,
    will: { topic: 'shoal/v1/nodes/pi-1/online', payload: Buffer.from('0'), qos: 1, retain: true },
  })
  await c.publishAsync('shoal/v1/nodes/pi-1/online', '1', { qos: 1, retain: true })
  await until(() => received.some(([, p]) => p === '1'))
  c.stream.destroy() // no DISCONNECT: a lost link
  await until(() => received.some(([t, p]) => t === 'shoal/v1/nodes/pi-1/online' && p === '0'))
  c.end(true)
})

test('keepalive 0 (never notice a dead link) is refused', async () => {
  const err = await connect('pi-1', pi1, { keepalive: 0 }).then(
    (c) => (c.end(true), undefined),
    (e: Error) => e,
  )
  assert.ok(err)
})

test('a packet over 16 MiB ends the connection at its header; one of 1 MiB passes', async () => {
  received.length = 0
  const c = await connect('pi-1', pi1)
  await c.publishAsync('shoal/v1/nodes/pi-1/status', Buffer.alloc(1 << 20, 1), { qos: 1 })
  await until(() => received.length === 1)
  const gone = closed(c)
  c.publish('shoal/v1/nodes/pi-1/status', Buffer.alloc(17 << 20, 2), { qos: 1 })
  await gone
  await new Promise((r) => setTimeout(r, 50))
  assert.is(received.length, 1, 'the big one never reached the plane')
  c.end(true)

  // before any authentication: a CONNECT announcing 256 MiB
  const raw = tlsConnect({ host: '127.0.0.1', port: broker.port, ca: pki.caCert })
  await new Promise<void>((resolve) => raw.once('secureConnect', () => resolve()))
  const ended = new Promise<void>((resolve) => raw.once('close', () => resolve()))
  const t0 = Date.now()
  raw.write(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f, 0, 4]))
  await ended
  assert.ok(Date.now() - t0 < 5000, 'cut at the header, not at the 10 s CONNECT timeout')
})

test.run()
