// A bridged broker as README describes it, two real Mosquittos: a central one (the plane's, the
// config `shoal broker-config` writes) and a site broker (the same generated files, its own
// listener, the node's login) bridged to it with `topic shoal/v1/nodes/# both 1`. A node logged
// in at the site broker and the plane at the central one hear each other; the node is still
// confined by the site broker's ACL; its Last Will crosses the bridge; a burst of 3,000 QoS 1
// messages to a node that is not reading arrives whole, in order, through the bridge.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { appendFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import { memoryLogger } from '../../src/core/index.ts'
import { addNodeLogin, writeBrokerConfig } from '../../src/plane/broker-config.ts'
import { connectExternalBus, type ExternalBus } from '../../src/plane/transport/index.ts'
import { freePort } from '../e2e/plane-process.ts'
import {
  MOSQUITTO,
  runMosquitto,
  startMosquitto,
  type Mosquitto,
  type MosquittoProcess,
} from './mosquitto.ts'
import { skipFileWithout } from '../peers.ts'

skipFileWithout(import.meta.url, 'mosquitto', existsSync(MOSQUITTO), 'apt-get install mosquitto')

const dir = mkdtempSync(join(tmpdir(), 'shoal-mosquitto-bridge-'))
const planeDir = join(dir, 'plane')
const siteDir = join(dir, 'site')
const token = 'shoal_token-of-pi-1'
const BURST = 3000
let central: Mosquitto | undefined
let site: MosquittoProcess | undefined
let siteUrl: string
let ca: string
let bus: ExternalBus | undefined
const heard: [string, string][] = []

async function cleanup() {
  await bus?.close()
  await site?.stop()
  await central?.stop()
  rmSync(dir, { recursive: true, force: true })
}

test.before(async () => {
  try {
    const sitePort = await freePort()
    // the site broker's files first: the central one's call below writes the plane's login
    writeBrokerConfig({
      dataDir: planeDir,
      out: siteDir,
      listen: { host: '127.0.0.1', port: sitePort },
      tls: true,
    })
    central = await startMosquitto(planeDir)
    ca = central.ca
    // the bridge's login on the central broker, with the plane's rights
    await addNodeLogin(central.login.passwordFile, 'site-a', 'bridge-secret')
    appendFileSync(
      join(planeDir, 'mosquitto', 'acl'),
      'user site-a\ntopic readwrite shoal/v1/nodes/#\n',
    )
    central.reload()
    await addNodeLogin(join(siteDir, 'passwd'), 'pi-1', token)
    await addNodeLogin(join(siteDir, 'passwd'), 'pi-2', 'shoal_token-of-pi-2')
    appendFileSync(
      join(siteDir, 'mosquitto.conf'),
      [
        'connection central',
        `address 127.0.0.1:${central.port}`,
        `bridge_cafile ${join(planeDir, 'pki', 'ca.crt')}`,
        'remote_username site-a',
        'remote_password bridge-secret',
        'remote_clientid site-a',
        'topic shoal/v1/nodes/# both 1',
        'cleansession false',
        'try_private true',
        'notifications false',
        '',
      ].join('\n'),
    )
    site = await runMosquitto(join(siteDir, 'mosquitto.conf'), [sitePort])
    siteUrl = `mqtts://127.0.0.1:${sitePort}`
    bus = await connectExternalBus(central.url, { ...central.login, ca, log: memoryLogger() })
    await bus.subscribe('shoal/v1/nodes/#', (t, p) => heard.push([t, Buffer.from(p).toString()]))
  } catch (err) {
    await cleanup() // uvu runs no after hook when before fails
    throw err
  }
})

test.after(cleanup)

async function node(name = 'pi-1', extra: mqtt.IClientOptions = {}): Promise<MqttClient> {
  for (let i = 0; ; i++) {
    const c = await mqtt
      .connectAsync(siteUrl, {
        username: name,
        password: name === 'pi-1' ? token : 'shoal_token-of-pi-2',
        clientId: name,
        protocolVersion: 4,
        reconnectPeriod: 0,
        ca,
        ...extra,
      })
      .catch((e: Error) => e)
    if (!(c instanceof Error)) return c
    if (i > 100) throw c
    await new Promise((r) => setTimeout(r, 50))
  }
}

async function until(what: string, check: () => boolean, ms = 20_000) {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end)
      throw new Error(
        `timed out waiting for ${what}\nsite:\n${site?.output().slice(-1500)}\ncentral:\n${central?.output().slice(-1500)}`,
      )
    await new Promise((r) => setTimeout(r, 20))
  }
}

test('through the bridge: the plane reaches a node at the site broker, and hears it', async () => {
  const c = await node()
  const got: string[] = []
  c.on('message', (_t, p) => got.push(String(p)))
  await c.subscribeAsync('shoal/v1/nodes/pi-1/desired', { qos: 1 })
  // the bridge connects in its own time: the plane sends until one arrives
  for (let i = 0; !got.length; i++) {
    if (i > 200) throw new Error(`the bridge did not come up:\n${site?.output()}`)
    await bus!.publish('shoal/v1/nodes/pi-1/desired', new TextEncoder().encode(`ping-${i}`))
    await new Promise((r) => setTimeout(r, 100))
  }
  await c.publishAsync('shoal/v1/nodes/pi-1/status', 'report', { qos: 1 })
  await until('the report', () =>
    heard.some(([t, p]) => t === 'shoal/v1/nodes/pi-1/status' && p === 'report'),
  )
  await c.endAsync()
})

test("the site broker confines the node: its publishes on another node's leaves go nowhere", async () => {
  for (const topic of ['shoal/v1/nodes/pi-2/status', 'shoal/v1/nodes/pi-1/desired']) {
    const c = await node()
    c.publish(topic, 'forged', { qos: 1 })
    await new Promise((r) => setTimeout(r, 100))
    c.end(true)
  }
  const c = await node()
  await c.publishAsync('shoal/v1/nodes/pi-1/heartbeat', 'marker', { qos: 1 })
  await until('the marker', () => heard.some(([, p]) => p === 'marker'))
  await c.endAsync()
  assert.equal(
    heard.filter(([, p]) => p === 'forged'),
    [],
  )
})

test("a node's Last Will, published by the site broker, reaches the plane", async () => {
  const c = await node('pi-2', {
    will: { topic: 'shoal/v1/nodes/pi-2/online', payload: Buffer.from('0'), qos: 1, retain: true },
  })
  await c.publishAsync('shoal/v1/nodes/pi-2/online', '1', { qos: 1, retain: true })
  await until('online', () =>
    heard.some(([t, p]) => t === 'shoal/v1/nodes/pi-2/online' && p === '1'),
  )
  c.stream.destroy() // gone without a DISCONNECT
  await until('the will', () =>
    heard.some(([t, p]) => t === 'shoal/v1/nodes/pi-2/online' && p === '0'),
  )
})

test(`${BURST} desired messages to a node that is not reading arrive whole, in order, through the bridge`, async () => {
  const c = await node()
  const got: string[] = []
  let held: (() => void) | undefined
  let holding = true
  c.handleMessage = (packet, done) => {
    got.push(String(packet.payload))
    if (holding) held = () => done()
    else done()
  }
  await c.subscribeAsync('shoal/v1/nodes/pi-1/desired', { qos: 1 })
  const send = (text: string) =>
    bus!.publish('shoal/v1/nodes/pi-1/desired', new TextEncoder().encode(text))
  // the subscription has crossed when a message arrives; that one is held: the node reads no more
  for (let i = 0; !got.length; i++) {
    if (i > 200) throw new Error('nothing arrived')
    await send(`warm-${i}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  for (let i = 0; i < BURST; i += 100)
    await Promise.all(Array.from({ length: 100 }, (_, j) => send(`${i + j}`)))
  holding = false
  held?.()
  for (let m = 0; !got.some((p) => p.startsWith('marker')); m++) {
    if (m > 600) throw new Error(`no marker through; got ${got.length}`)
    await send(`marker-${m}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  await c.endAsync()
  const burst = [...new Set(got.filter((p) => /^\d+$/.test(p)).map(Number))]
  assert.equal(
    burst,
    Array.from({ length: BURST }, (_, i) => i),
  )
  assert.not.match(site!.output() + central!.output(), /dropped/i)
})

test.run()
