// Simulated node agents for bench/broker.mjs: many lightweight mqtt.js clients in one child
// process (forked, IPC commands), each speaking the node's side of the wire as the real agent
// does (src/api/node-protocol): client id = username = node, password = its token, TLS trusting
// the plane's CA, Last Will "0" retained on its online topic, "1" once connected, its three
// inbound leaves at QoS 1, then `hello` with appliedRevision 0 (so the plane sends the whole set
// on every connect). A `desired` holding all its pods marks the node "has its state" (reported
// to the parent with the time) and is answered `applied`. Reconnects every 1 s ± 20 %.
// Commands: connect, reset, rt (status round trips), freeze, close.
import { createSecureContext } from 'node:tls'
import mqtt from 'mqtt'
import { Decoder, Encoder } from 'cbor-x'

const enc = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false })
const dec = new Decoder({ useRecords: false, mapsAsObjects: true })
const t = (node, leaf) => `shoal/v1/nodes/${node}/${leaf}`
const info = (node) => ({
  architecture: 'arm64',
  operatingSystem: 'linux',
  kernelVersion: '6.1.0',
  agentVersion: 'sim',
  labels: {},
  addresses: [{ type: 'Hostname', address: node }],
  capacity: { cpu: '4', memory: '4Gi', pods: '110' },
  allocatable: { cpu: '4', memory: '4Gi', pods: '110' },
})

/** node → { client, have, acks: Map<id, resolve> } */
const agents = new Map()
let podsEach = 0
let seq = 0

/** one TLS context for every client of this process: mqtt.js passes `ca` to each tls.connect,
 * which makes a context (the CA parsed) per attempt. 250 agents retrying a plane that is down,
 * every 1 s ± 20 %, took 0.34 s of CPU a second per process (0.22–0.26 with one context): with 4
 * processes, most of the machine's 2 cores while the restarted plane opened its store — real
 * agents retry on their own machines */
const contexts = new Map()
const contextFor = (ca) => {
  if (!contexts.has(ca)) contexts.set(ca, createSecureContext({ ca }))
  return contexts.get(ca)
}

function connect(url, ca, node, token) {
  const a = { node, have: false, acks: new Map(), client: undefined }
  const client = mqtt.connect(url, {
    protocolVersion: 4,
    clientId: node,
    username: node,
    password: token,
    clean: true,
    keepalive: 60,
    secureContext: contextFor(ca),
    rejectUnauthorized: true,
    reconnectPeriod: Math.round(800 + Math.random() * 400),
    connectTimeout: 30_000,
    will: { topic: t(node, 'online'), payload: Buffer.from('0'), qos: 1, retain: true },
  })
  a.client = client
  client.on('connect', () => {
    client.stream?.setNoDelay?.(true)
    client.publish(t(node, 'online'), '1', { qos: 1, retain: true })
    client.subscribe(
      ['desired', 'status-ack', 'req'].map((l) => t(node, l)),
      { qos: 1 },
      () => {
        const hello = {
          type: 'hello',
          appliedRevision: 0,
          bootId: `sim-${process.pid}`,
          info: info(node),
        }
        client.publish(t(node, 'hello'), Buffer.from(enc.encode(hello)), { qos: 1 })
      },
    )
  })
  client.on('message', (topic, payload) => onMessage(a, topic, payload))
  client.on('error', () => undefined)
  agents.set(node, a)
}

function onMessage(a, topic, payload) {
  let m
  try {
    m = dec.decode(payload)
  } catch {
    return // a payload cut short (the frozen agent's socket) is no reason to end the process
  }
  if (m.type === 'status-ack') return a.acks.get(m.id)?.()
  if (m.type !== 'desired' && m.type !== 'desired-change') return
  if (m.type === 'desired' && m.pods.length >= podsEach && !a.have) {
    a.have = true
    process.send({ ev: 'have', node: a.node, t: Date.now() })
  }
  const applied = { type: 'applied', revision: m.revision }
  a.client.publish(t(a.node, 'applied'), Buffer.from(enc.encode(applied)), { qos: 1 })
}

/** one status report (no pods) → its status-ack: plane ↔ agent, QoS 1 both ways */
function roundTrip(a) {
  const id = `rt-${process.pid}-${seq++}`
  const start = performance.now()
  return new Promise((resolve) => {
    a.acks.set(id, () => {
      a.acks.delete(id)
      resolve(performance.now() - start)
    })
    const report = { type: 'status', id, pods: [] }
    a.client.publish(t(a.node, 'status'), Buffer.from(enc.encode(report)), { qos: 1 })
  })
}

/** each of `count` agents: round trips one at a time for `ms`; latencies and the longest wait
 * between two acks of one agent */
async function rt({ count, ms, skip = 0 }) {
  const chosen = [...agents.values()].filter((a) => a.client.connected).slice(skip, skip + count)
  const lat = []
  let maxGap = 0
  const end = Date.now() + ms
  await Promise.all(
    chosen.map(async (a) => {
      let last = performance.now()
      while (Date.now() < end) {
        const l = await Promise.race([roundTrip(a), sleep(10_000).then(() => 10_000)])
        const now = performance.now()
        maxGap = Math.max(maxGap, now - last)
        last = now
        lat.push(l)
      }
    }),
  )
  return { lat, maxGap, agents: chosen.length }
}

/** the agent stops reading its socket and asks for its whole set again and again (each hello
 * makes the plane send it every pod): the broker's writes to it back up */
function freeze({ node, ms }) {
  const a = agents.get(node)
  a.client.stream?.pause()
  const hello = enc.encode({
    type: 'hello',
    appliedRevision: 0,
    bootId: 'frozen',
    info: info(node),
  })
  const timer = setInterval(
    () => a.client.publish(t(node, 'hello'), Buffer.from(hello), { qos: 0 }),
    20,
  )
  setTimeout(() => {
    clearInterval(timer)
    a.client.end(true)
  }, ms)
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

process.on('message', async (m) => {
  if (m.cmd === 'connect') {
    podsEach = m.pods
    for (const [node, token] of m.nodes) connect(m.url, m.ca, node, token)
    process.send({ ev: 'ok', cmd: m.cmd })
  } else if (m.cmd === 'reset') {
    for (const a of agents.values()) a.have = false
    process.send({ ev: 'ok', cmd: m.cmd })
  } else if (m.cmd === 'rt') {
    process.send({ ev: 'rt', ...(await rt(m)) })
  } else if (m.cmd === 'freeze') {
    freeze(m)
    process.send({ ev: 'ok', cmd: m.cmd })
  } else if (m.cmd === 'close') {
    await Promise.all(
      [...agents.values()].map((a) => a.client.endAsync(true).catch(() => undefined)),
    )
    agents.clear()
    process.send({ ev: 'ok', cmd: m.cmd })
  }
})
