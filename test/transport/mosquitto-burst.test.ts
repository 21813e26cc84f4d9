// A burst of QoS 1 messages to a slow subscriber through a real Mosquitto: with the config
// `shoal broker-config` writes, every message arrives, in order; with Mosquitto's default
// max_queued_messages (1000) the same burst loses messages Mosquitto had acknowledged to the
// publisher (research/mqtt.md) — the control that shows the burst is reproduced.
// Slow: a subscriber that holds the acknowledgement of the first message it gets (MQTT.js'
// handleMessage), so it reads nothing more and Mosquitto keeps the rest — its 20 in flight,
// then its queue — until it lets go. Both directions: the plane sending a node its desired
// state faster than the node reads, and nodes reporting faster than the plane reads.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import { addNodeLogin } from '../../src/plane/broker-config.ts'
import { MOSQUITTO, startMosquitto, type Mosquitto } from './mosquitto.ts'
import { skipFileWithout } from '../peers.ts'

skipFileWithout(import.meta.url, 'mosquitto', existsSync(MOSQUITTO), 'apt-get install mosquitto')

/** more than Mosquitto's default queue (1000) and in-flight window (20) together */
const BURST = 3000
const dir = mkdtempSync(join(tmpdir(), 'shoal-mosquitto-burst-'))
const token = 'shoal_token-of-pi-1'
let generated: Mosquitto | undefined
let stock: Mosquitto | undefined

async function broker(name: string, edit?: (conf: string) => string): Promise<Mosquitto> {
  const b = await startMosquitto(join(dir, name))
  await addNodeLogin(b.login.passwordFile, 'pi-1', token)
  if (edit) {
    await b.stop()
    const conf = join(dir, name, 'mosquitto', 'mosquitto.conf')
    writeFileSync(conf, edit(readFileSync(conf, 'utf8')))
    await b.start()
  } else b.reload()
  return b
}

test.before(async () => {
  try {
    generated = await broker('generated')
    // the same files but Mosquitto's default queue
    stock = await broker('stock', (conf) => {
      assert.match(conf, /^max_queued_messages 0$/m)
      return conf.replace(/^max_queued_messages 0$/m, '')
    })
  } catch (err) {
    await generated?.stop()
    await stock?.stop()
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
})

test.after(async () => {
  await generated?.stop()
  await stock?.stop()
  rmSync(dir, { recursive: true, force: true })
})

async function login(b: Mosquitto, who: 'plane' | 'pi-1'): Promise<MqttClient> {
  const [username, password] =
    who === 'plane' ? [b.login.username, b.login.password] : ['pi-1', token]
  for (let i = 0; ; i++) {
    const c = await mqtt
      .connectAsync(b.url, {
        username,
        password,
        clientId: username,
        protocolVersion: 4,
        reconnectPeriod: 0,
        ca: b.ca,
        clean: true, // as the plane and the agents connect
      })
      .catch((e: Error) => e)
    if (!(c instanceof Error)) return c
    if (i > 100) throw c // Mosquitto re-reading its password file after the SIGHUP
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** subscribes `topic`, holding the first message's acknowledgement until `release` */
async function slowSubscriber(c: MqttClient, topic: string) {
  const got: string[] = []
  let held: (() => void) | undefined
  let holding = true
  c.handleMessage = (packet, done) => {
    got.push(String(packet.payload))
    if (holding) held = () => done()
    else done()
  }
  await c.subscribeAsync(topic, { qos: 1 })
  return {
    got,
    release() {
      holding = false
      held?.()
    },
  }
}

/** sends BURST messages, each acknowledged by the broker, to a subscriber that is not reading;
 * then lets it read, and sends markers until one arrives (all before it are then delivered or
 * dropped). Returns the burst's messages the subscriber got, in order of arrival. */
async function burst(from: MqttClient, to: MqttClient, topic: string): Promise<number[]> {
  const sub = await slowSubscriber(to, topic)
  for (let i = 0; i < BURST; i += 100)
    await Promise.all(
      Array.from({ length: 100 }, (_, j) => from.publishAsync(topic, `${i + j}`, { qos: 1 })),
    )
  sub.release()
  for (let m = 0; !sub.got.some((p) => p.startsWith('marker')); m++) {
    if (m > 600) throw new Error(`no marker through in 60 s; got ${sub.got.length}`)
    await from.publishAsync(topic, `marker-${m}`, { qos: 1 })
    await new Promise((r) => setTimeout(r, 100))
  }
  await from.endAsync()
  await to.endAsync()
  return [...new Set(sub.got.filter((p) => !p.startsWith('marker')).map(Number))]
}

const all = Array.from({ length: BURST }, (_, i) => i)

test(`the plane's ${BURST} desired messages to a node that is not reading: all arrive, in order`, async () => {
  const b = generated!
  assert.equal(
    await burst(await login(b, 'plane'), await login(b, 'pi-1'), 'shoal/v1/nodes/pi-1/desired'),
    all,
  )
  assert.not.match(b.output(), /dropped/i)
})

test(`a node's ${BURST} reports to a plane that is not reading: all arrive, in order`, async () => {
  const b = generated!
  assert.equal(
    await burst(await login(b, 'pi-1'), await login(b, 'plane'), 'shoal/v1/nodes/pi-1/status'),
    all,
  )
  assert.not.match(b.output(), /dropped/i)
})

test('control: Mosquitto with its default max_queued_messages loses part of the same burst', async () => {
  const b = stock!
  const got = await burst(
    await login(b, 'plane'),
    await login(b, 'pi-1'),
    'shoal/v1/nodes/pi-1/desired',
  )
  assert.ok(got.length < BURST, `got ${got.length} of ${BURST}`)
  console.log(`  stock Mosquitto: ${BURST - got.length} of ${BURST} acknowledged messages lost`)
})

test.run()
