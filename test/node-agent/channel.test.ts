// The agent's MQTT channel against each broker a plane can have — its own embedded broker (aedes
// over TLS, its connect/publish/subscribe rules) and a real Mosquitto with the config, ACL and
// password file `shoal broker-config` writes, the plane on it through its external bus — and the
// plane's codec: hello, applied, status reports and heartbeats pass the plane's checks; the
// online flag is "1" while connected and "0" after a clean close; a broker restart is survived
// by reconnecting (on the embedded broker the agent says hello again at once; on Mosquitto the
// plane's own link comes back too, and a desired state sent after reaches the agent).
import { suite, test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Encoder } from 'cbor-x'
import { everyNode, nodeTopic, type FromNode, type ToNode } from '../../src/api/index.ts'
import { memoryLogger } from '../../src/core/index.ts'
import { createAgent, type Credentials } from '../../src/node-agent/index.ts'
import { MqttChannel } from '../../src/node-agent/channel.ts'
import { FakeRuntime } from '../../src/wasm-runtime/index.ts'
import { ensurePki } from '../../src/plane/server/security/index.ts'
import { startBroker } from '../../src/plane/transport/broker.ts'
import { connectExternalBus, type Bus } from '../../src/plane/transport/index.ts'
import { addNodeLogin } from '../../src/plane/broker-config.ts'
import { MOSQUITTO, startMosquitto } from '../transport/mosquitto.ts'
import { decodeFromNode } from '../../src/plane/transport/codec.ts'
import { FakePlane, desired, pod, waitFor } from '../../src/node-agent/agent-fixture.ts'

const dir = mkdtempSync(join(tmpdir(), 'shoal-channel-'))
const pki = ensurePki(join(dir, 'plane'), { sans: ['127.0.0.1'] })
const cbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false })
const log = memoryLogger()

interface Heard {
  leaf: string
  message?: FromNode
  raw: string
}
const heard: Heard[] = []

/** a broker as the plane has it: its bus, and a restart on the same port */
interface Broker {
  url: string
  ca: string
  bus: Bus
  restart(): Promise<void>
  close(): Promise<void>
}

const planeHears = async (bus: Bus) => {
  for (const leaf of ['hello', 'applied', 'status', 'heartbeat', 'online'] as const)
    await bus.subscribe(everyNode(leaf), (topic, payload) => {
      const d = leaf === 'online' ? undefined : decodeFromNode(payload)
      if (d && !d.ok) throw new Error(`the plane refused a ${leaf}: ${d.error}`)
      heard.push({
        leaf,
        message: d?.ok ? d.value : undefined,
        raw: Buffer.from(payload).toString(),
      })
    })
}

async function embedded(): Promise<Broker> {
  const start = (port: number) =>
    startBroker({
      host: '127.0.0.1',
      port,
      tls: { cert: pki.serverCert, key: pki.serverKey },
      authenticateNode: (node, password) => node === 'pi-07' && password === 'node-token',
      log,
      attach: planeHears,
    })
  let b = await start(0)
  return {
    url: `mqtts://127.0.0.1:${b.port}`,
    ca: pki.caCert,
    get bus() {
      return b.bus
    },
    async restart() {
      await b.close()
      await waitFor('the link lost', () => !channel?.connected)
      b = await start(b.port)
    },
    close: () => b.close(),
  }
}

async function mosquitto(): Promise<Broker> {
  const m = await startMosquitto(join(dir, 'mosquitto-plane'))
  try {
    await addNodeLogin(m.login.passwordFile, 'pi-07', 'node-token')
    m.reload()
    let links = 0
    const bus = await connectExternalBus(m.url, {
      ...m.login,
      ca: m.ca,
      log,
      reconnected: () => links++,
    })
    await planeHears(bus)
    return {
      url: m.url,
      ca: m.ca,
      bus,
      async restart() {
        const before = links
        await m.kill()
        await waitFor('the link lost', () => !channel?.connected)
        await m.start()
        await waitFor("the plane's link back", () => links > before, 15_000)
      },
      async close() {
        await bus.close()
        await m.stop()
      },
    }
  } catch (err) {
    await m.stop()
    throw err
  }
}

let channel: MqttChannel | undefined

const of = <T extends FromNode['type']>(type: T) =>
  heard.flatMap((h) =>
    h.message?.type === type ? [h.message as Extract<FromNode, { type: T }>] : [],
  )
const flags = () => heard.filter((h) => h.leaf === 'online').map((h) => h.raw)

function overBroker(name: string, start: () => Promise<Broker>, helloAgain: boolean) {
  const t = suite(`over ${name}`)
  t(
    'hello, applied, status and heartbeats pass the plane’s checks; a broker restart is survived',
    async () => {
      heard.length = 0
      const b = await start()
      try {
        const credentials: Credentials = {
          node: 'pi-07',
          plane: 'https://plane.test:6443',
          mqtt: b.url,
          token: 'node-token',
          caCert: b.ca,
        }
        channel = new MqttChannel({
          credentials,
          log,
          reconnect: { initialMs: 50, maxMs: 200, resetAfterMs: Number.POSITIVE_INFINITY },
        })
        const plane = new FakePlane()
        const agent = await createAgent({
          dataDir: join(dir, `agent-${name.replace(/\W+/g, '-')}`),
          credentials,
          channel,
          runtime: new FakeRuntime(),
          fetch: plane.fetch,
          logger: log,
          heartbeatMs: 50,
          statusBatchMs: 1,
        })
        const send = (m: ToNode, leaf: 'desired' | 'status-ack' | 'req') =>
          b.bus.publish(nodeTopic('pi-07', leaf), cbor.encode(m))

        const hello = await waitFor('hello', () => of('hello')[0])
        assert.is(hello.appliedRevision, 0)
        assert.equal(flags(), ['1'])
        await send(desired(4, pod('a')), 'desired')
        await waitFor('applied', () => of('applied').some((m) => m.revision === 4))
        const report = await waitFor('a Running status', () =>
          of('status').find((r) => r.pods.some((p) => p.status.phase === 'Running')),
        )
        await send({ type: 'status-ack', id: report.id }, 'status-ack')
        await waitFor('a heartbeat', () => of('heartbeat')[0])

        await b.restart()
        if (helloAgain) {
          await waitFor('hello again', () => of('hello').length === 2, 5000)
          assert.is(of('hello')[1].appliedRevision, 4)
          assert.is(of('hello')[1].bootId, hello.bootId)
        }
        // what the plane sends after the restart reaches the agent (the real plane resends the whole
        // desired state once its link is back); sent until applied, the agent's link may lag
        for (let i = 0; !of('applied').some((m) => m.revision === 5); i++) {
          if (i > 200) throw new Error('test: timed out waiting for applied after the restart')
          if (channel.connected)
            await send(desired(5, pod('a'), pod('b')), 'desired').catch(() => undefined)
          await new Promise((r) => setTimeout(r, 100))
        }

        await agent.close()
        await waitFor('offline flag', () => flags().at(-1) === '0')
        assert.not.ok(
          log.lines.some((l) => l.msg.includes('refused')),
          JSON.stringify(log.lines.filter((l) => l.msg.includes('refused'))),
        )
      } finally {
        await b.close()
      }
    },
  )
  return t
}

overBroker('the embedded broker', embedded, true).run()
if (existsSync(MOSQUITTO)) overBroker('Mosquitto', mosquitto, false).run()
else
  console.log(
    `SKIPPED the agent's channel over Mosquitto: ${MOSQUITTO} is missing (apt-get install mosquitto)`,
  )

test("neither the broker nor the agent's client builds mqtt-packet's table of 65,536 numbers", () => {
  // 6 MB of heap in each process that speaks MQTT; every packet has been written by now
  const numbers = createRequire(import.meta.url)('mqtt-packet/numbers.js') as {
    cache: Record<number, Buffer>
  }
  assert.is(Object.keys(numbers.cache).length, 0)
})

test.after(() => rmSync(dir, { recursive: true, force: true }))

test.run()
