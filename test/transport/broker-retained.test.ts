// The embedded broker's retained messages found by topic (broker.ts retainedByTopic): a real aedes
// and real MQTT.js clients on 127.0.0.1 (plain TCP, no Shoal rules: the rules let no node
// subscribe to a retained topic, so the lookup is tested on aedes alone). A subscription without
// wildcards gets its topic's retained message, one with wildcards every match (aedes' own
// search), an empty retained payload clears the topic, and a topic never retained gets nothing.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createServer, type Server } from 'node:net'
import type { AddressInfo } from 'node:net'
import { Aedes } from 'aedes'
import mqtt, { type MqttClient } from 'mqtt'
import { retainedByTopic } from '../../src/plane/transport/broker.ts'

let aedes: Aedes | undefined
let server: Server | undefined
const clients: MqttClient[] = []

test.before(async () => {
  aedes = await Aedes.createBroker()
  retainedByTopic(aedes)
  const a = aedes
  server = createServer((socket) => a.handle(socket))
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
})

test.after(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)))
  await new Promise<void>((resolve) => (aedes ? aedes.close(() => resolve()) : resolve()))
  await new Promise<void>((resolve) =>
    server?.listening ? server.close(() => resolve()) : resolve(),
  )
})

async function client(id: string): Promise<MqttClient> {
  const port = (server!.address() as AddressInfo).port
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    clientId: id,
    protocolVersion: 4,
    reconnectPeriod: 0,
  })
  clients.push(c)
  return c
}

/** what a new subscription to `patterns` is sent (retained messages), within `ms` */
async function retainedFor(id: string, patterns: string[], ms = 300): Promise<string[]> {
  const c = await client(id)
  const got: string[] = []
  c.on('message', (topic, payload, packet) => {
    if (packet.retain) got.push(`${topic}=${payload.toString()}`)
  })
  await c.subscribeAsync(patterns, { qos: 1 })
  await new Promise((r) => setTimeout(r, ms))
  await c.endAsync(true)
  return got.sort()
}

test('a subscription without wildcards gets its topic retained; wildcards get every match', async () => {
  const pub = await client('publisher')
  await pub.publishAsync('n/a/online', '1', { qos: 1, retain: true })
  await pub.publishAsync('n/b/online', '0', { qos: 1, retain: true })
  await pub.publishAsync('n/b/online', '1', { qos: 1, retain: true }) // replaces the '0'
  await pub.publishAsync('n/c/online', '1', { qos: 1, retain: true })
  await pub.publishAsync('n/c/online', '', { qos: 1, retain: true }) // clears it
  await pub.publishAsync('n/a/status', 'not retained', { qos: 1 })

  assert.equal(await retainedFor('s1', ['n/a/online']), ['n/a/online=1'])
  assert.equal(await retainedFor('s2', ['n/b/online', 'n/a/online']), [
    'n/a/online=1',
    'n/b/online=1',
  ])
  assert.equal(await retainedFor('s3', ['n/c/online', 'n/a/status', 'n/z/online']), [])
  assert.equal(await retainedFor('s4', ['n/+/online']), ['n/a/online=1', 'n/b/online=1'])
  assert.equal(await retainedFor('s5', ['n/#']), ['n/a/online=1', 'n/b/online=1'])
})

test.run()
