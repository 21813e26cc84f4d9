// One node that stops reading its socket must not stall the broker's deliveries to the others
// (research/mqtt.md: with aedes' default a healthy subscriber got nothing for 9.3 of 10 s).
// The embedded broker as the plane starts it, real MQTT.js clients over TLS: the frozen one
// pauses its socket while the plane floods it; a healthy node meanwhile gets all its messages.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import { memoryLogger } from '../../src/core/index.ts'
import { createTokenStore, ensurePki } from '../../src/plane/server/security/index.ts'
import { startBroker, type EmbeddedBroker } from '../../src/plane/transport/index.ts'

const dir = mkdtempSync(join(tmpdir(), 'shoal-broker-frozen-'))
const pki = ensurePki(dir)
const tokens = createTokenStore(dir)
const token = new Map(
  ['pi-frozen', 'pi-ok'].map((n) => [n, tokens.issue({ role: 'node', node: n })]),
)
const log = memoryLogger()
/** node → the online flags the plane heard ("0": the Last Will, its connection ended) */
const flags = new Map<string, string[]>()

const FLOOD = 160 // messages to the frozen node: more than aedes delivers at once (100)
const FLOOD_BYTES = 128 * 1024 // 20 MiB in all: past the loopback socket buffers
const HEALTHY = 200

async function broker(maxUnsentBytes: number): Promise<EmbeddedBroker> {
  return startBroker({
    host: '127.0.0.1',
    port: 0,
    tls: { cert: pki.serverCert, key: pki.serverKey },
    authenticateNode: (node, password) => tokens.authenticate(`Bearer ${password}`)?.node === node,
    log,
    maxUnsentBytes,
    attach: (bus) =>
      bus.subscribe('shoal/v1/nodes/+/online', (topic, payload) => {
        const node = topic.split('/')[3]!
        flags.set(node, [...(flags.get(node) ?? []), Buffer.from(payload).toString()])
      }),
  })
}

async function node(b: EmbeddedBroker, name: string): Promise<MqttClient> {
  const online = `shoal/v1/nodes/${name}/online`
  const c = await mqtt.connectAsync(`mqtts://127.0.0.1:${b.port}`, {
    ca: pki.caCert,
    ...{ username: name, password: token.get(name), clientId: name, protocolVersion: 4 },
    ...{ reconnectPeriod: 0, keepalive: 60 },
    will: { topic: online, payload: Buffer.from('0'), qos: 1, retain: true },
  })
  await c.subscribeAsync(`shoal/v1/nodes/${name}/desired`, { qos: 1 })
  return c
}

/** the frozen node stops reading; the plane sends it FLOOD big messages (not waited for) */
function freezeAndFlood(b: EmbeddedBroker, frozen: MqttClient): Promise<unknown> {
  frozen.stream.pause()
  const big = new Uint8Array(FLOOD_BYTES)
  const topic = 'shoal/v1/nodes/pi-frozen/desired'
  return Promise.allSettled(Array.from({ length: FLOOD }, () => b.bus.publish(topic, big)))
}

/** waits until `done()` or `ms` have passed (a stalled broker ends in a failed assertion,
 * not a hung test) */
async function until(done: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 10))
}

/** the plane sends the healthy node HEALTHY messages; how many it received */
async function sendHealthy(b: EmbeddedBroker, ok: MqttClient): Promise<number> {
  let got = 0
  ok.on('message', () => got++)
  for (let i = 0; i < HEALTHY; i++)
    void b.bus
      .publish('shoal/v1/nodes/pi-ok/desired', new TextEncoder().encode(`m${i}`))
      .catch(() => undefined)
  await until(() => got === HEALTHY, 10_000)
  return got
}

test.after(() => rmSync(dir, { recursive: true, force: true }))

test('a node that stops reading stalls no delivery to the others, and is not cut while within its limit', async () => {
  flags.clear()
  const b = await broker(64 << 20) // more than the flood: the frozen node may stay
  const frozen = await node(b, 'pi-frozen')
  const ok = await node(b, 'pi-ok')
  const flood = freezeAndFlood(b, frozen)
  assert.is(await sendHealthy(b, ok), HEALTHY, 'the healthy node got every message')
  // the frozen node was never cut: nothing but its own reading was waited for
  assert.equal(flags.get('pi-frozen'), undefined, 'no Last Will of the frozen node')
  let read = 0
  frozen.on('message', () => read++)
  frozen.stream.resume()
  await until(() => read === FLOOD, 20_000)
  await flood
  assert.is(read, FLOOD, 'reading again, the frozen node gets everything it was sent')
  await Promise.all([frozen.endAsync(), ok.endAsync()])
  await b.close()
})

test('a node that falls further behind than the limit is cut; the others still get everything', async () => {
  flags.clear()
  const b = await broker(1 << 20)
  const frozen = await node(b, 'pi-frozen')
  const ok = await node(b, 'pi-ok')
  const flood = freezeAndFlood(b, frozen)
  assert.is(await sendHealthy(b, ok), HEALTHY, 'the healthy node got every message')
  await until(() => flags.get('pi-frozen')?.includes('0') ?? false, 10_000)
  assert.equal(flags.get('pi-frozen'), ['0'], 'its Last Will reached the plane')
  assert.ok(
    log.lines.some((l) => l.level === 'warn' && /not reading/.test(String(l.fields?.err))),
    'the cut is logged',
  )
  assert.ok(ok.connected, 'the healthy node is still connected')
  await flood
  frozen.end(true)
  await ok.endAsync()
  await b.close()
})

test.run()
