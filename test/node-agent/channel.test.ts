// The agent's MQTT channel against the plane's own embedded broker (aedes over TLS, its
// connect/publish/subscribe rules) and the plane's codec: hello, applied, status reports and
// heartbeats pass the plane's checks; the online flag is "1" while connected and "0" after a
// clean close; a broker restart is survived by reconnecting and saying hello again.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync } from 'node:fs'
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
import { startBroker, type EmbeddedBroker } from '../../src/plane/transport/broker.ts'
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

async function broker(port = 0): Promise<EmbeddedBroker> {
  return startBroker({
    host: '127.0.0.1',
    port,
    tls: { cert: pki.serverCert, key: pki.serverKey },
    authenticateNode: (node, password) => node === 'pi-07' && password === 'node-token',
    log,
    attach: async (bus) => {
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
    },
  })
}

const of = <T extends FromNode['type']>(type: T) =>
  heard.flatMap((h) =>
    h.message?.type === type ? [h.message as Extract<FromNode, { type: T }>] : [],
  )
const flags = () => heard.filter((h) => h.leaf === 'online').map((h) => h.raw)

test('hello, applied, status and heartbeats pass the plane’s checks; a broker restart is survived', async () => {
  let b = await broker()
  const port = b.port
  const credentials: Credentials = {
    node: 'pi-07',
    plane: 'https://plane.test:6443',
    mqtt: `mqtts://127.0.0.1:${port}`,
    token: 'node-token',
    caCert: pki.caCert,
  }
  const channel = new MqttChannel({
    credentials,
    log,
    reconnect: { initialMs: 50, maxMs: 200, resetAfterMs: Number.POSITIVE_INFINITY },
  })
  const plane = new FakePlane()
  const agent = await createAgent({
    dataDir: join(dir, 'agent'),
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

  await b.close()
  await waitFor('the link lost', () => !channel.connected)
  b = await broker(port)
  await waitFor('hello again', () => of('hello').length === 2, 5000)
  assert.is(of('hello')[1].appliedRevision, 4)
  assert.is(of('hello')[1].bootId, hello.bootId)

  await agent.close()
  await waitFor('offline flag', () => flags().at(-1) === '0')
  assert.not.ok(
    log.lines.some((l) => l.msg.includes('refused')),
    JSON.stringify(log.lines.filter((l) => l.msg.includes('refused'))),
  )
  await b.close()
})

test("neither the broker nor the agent's client builds mqtt-packet's table of 65,536 numbers", () => {
  // 6 MB of heap in each process that speaks MQTT; every packet has been written by now
  const numbers = createRequire(import.meta.url)('mqtt-packet/numbers.js') as {
    cache: Record<number, Buffer>
  }
  assert.is(Object.keys(numbers.cache).length, 0)
})

test.after(() => rmSync(dir, { recursive: true, force: true }))

test.run()
