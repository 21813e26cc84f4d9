// Simulated node agents for bench/fleet.mjs: many light mqtt.js clients in one child process
// (forked, IPC commands), each answering the plane as src/node-agent does (session.ts,
// channel.ts; the contract in src/api/node-protocol), without running anything:
// - connect: client id = username = node, password = its node token, TLS trusting the plane's
//   CA, keepalive 30 s, Last Will "0" retained on `online`; on connect "1" retained, subscribe
//   desired / mesh / status-ack / req at QoS 1, `hello` with the revision it holds (0 at first:
//   a real agent keeps it on disk, so a restarted plane is told what the node already has),
//   every status not yet acknowledged sent again, and a heartbeat at once;
// - `desired` / `desired-change`: the node's set taken (a change whose base is not the state
//   held: `applied` with resync, as the agent), `applied` answered; each new pod is reported
//   Running (ready, one container running) and a pod being deleted reported gone, in status
//   reports batched 50 ms as the agent's status queue does, each `status-ack`ed by the plane;
// - `mesh` / `mesh-change`: answered `mesh-applied`;
// - heartbeat every HEARTBEAT ms (Ready, no memory or disk pressure, the images held), stats
//   every 10 s (the node's and each pod's counters), as the agent's defaults;
// - reconnects after 1 s ± 20 % when the link drops (the agent: back-off from 1 s with jitter).
// To the parent, every 100 ms while something changed: connected, pods received, pods whose
// Running status the plane acknowledged, hellos sent, desired states received since `mark`.
// Commands: connect, mark, close.
import mqtt from 'mqtt'
import { Decoder, Encoder } from 'cbor-x'

const enc = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false })
const dec = new Decoder({ useRecords: false, mapsAsObjects: true })
const t = (node, leaf) => `shoal/v1/nodes/${node}/${leaf}`
const pub = (a, leaf, m) =>
  a.client.connected && a.client.publish(t(a.node, leaf), Buffer.from(enc.encode(m)), { qos: 1 })
const info = (node) => ({
  architecture: 'arm64',
  operatingSystem: 'linux',
  kernelVersion: '6.1.0',
  agentVersion: 'sim',
  labels: {},
  addresses: [
    { type: 'InternalIP', address: '127.0.0.1' },
    { type: 'Hostname', address: node },
  ],
  capacity: { cpu: '4', memory: '8Gi', pods: '110' },
  allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
})
const conditions = [
  {
    type: 'Ready',
    status: 'True',
    reason: 'AgentReady',
    message: 'shoal agent is posting ready status',
  },
  { type: 'MemoryPressure', status: 'False', reason: 'AgentHasSufficientMemory' },
  { type: 'DiskPressure', status: 'False', reason: 'AgentHasNoDiskPressure' },
]
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

let HEARTBEAT = 2000
const STATS = 10_000
const bootId = `sim-${process.pid}-${Date.now()}`
/** node → agent state */
const agents = new Map()
let seq = 0
let dirty = true
let marked = 0

function running(p) {
  const now = iso(Date.now())
  const cond = (type) => ({ type, status: 'True', lastTransitionTime: now })
  return {
    phase: 'Running',
    conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map(cond),
    hostIP: '127.0.0.1',
    podIP: '127.0.0.1',
    startTime: now,
    containerStatuses: p.spec.containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: p.images?.[c.name]?.digest ?? '',
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: now } },
    })),
  }
}

function connect(url, ca, node, token) {
  const a = {
    node,
    client: undefined,
    revision: 0,
    meshRevision: 0,
    /** uid → desired pod */
    pods: new Map(),
    /** uids reported Running and acknowledged */
    acked: new Set(),
    /** status updates waiting for the next batch */
    batch: new Map(),
    batchTimer: undefined,
    /** report id → { report, uids } not yet acknowledged */
    unacked: new Map(),
    received: 0,
    helloAt: 0,
    desiredSinceMark: false,
  }
  a.client = mqtt.connect(url, {
    protocolVersion: 4,
    clientId: node,
    username: node,
    password: token,
    clean: true,
    keepalive: 30,
    ca,
    rejectUnauthorized: true,
    reconnectPeriod: Math.round(800 + Math.random() * 400),
    connectTimeout: 30_000,
    will: { topic: t(node, 'online'), payload: Buffer.from('0'), qos: 1, retain: true },
  })
  a.client.on('connect', () => {
    dirty = true
    a.client.stream?.setNoDelay?.(true)
    a.client.publish(t(node, 'online'), '1', { qos: 1, retain: true })
    a.client.subscribe(
      ['desired', 'mesh', 'status-ack', 'req'].map((l) => t(node, l)),
      { qos: 1 },
      () => {
        pub(a, 'hello', {
          type: 'hello',
          appliedRevision: a.revision,
          bootId,
          info: info(node),
          meshRevision: a.meshRevision,
        })
        a.helloAt = Date.now()
        for (const { report } of a.unacked.values()) pub(a, 'status', report)
        heartbeat(a)
      },
    )
  })
  a.client.on('close', () => (dirty = true))
  a.client.on('message', (topic, payload) => onMessage(a, topic, payload))
  a.client.on('error', () => undefined)
  agents.set(node, a)
}

function heartbeat(a) {
  const images = new Set()
  for (const p of a.pods.values())
    for (const v of Object.values(p.images ?? {})) if (v.digest) images.add(v.digest)
  pub(a, 'heartbeat', { type: 'heartbeat', time: Date.now(), conditions, images: [...images] })
}

function stats(a) {
  const now = Date.now()
  const usage = { cpuNanos: Math.round(performance.now() * 1e3), memoryBytes: 64 << 20 }
  pub(a, 'stats', {
    type: 'stats',
    time: now,
    node: { ...usage, agent: usage },
    pods: [...a.pods.values()].map((p) => ({
      uid: p.uid,
      namespace: p.namespace,
      name: p.name,
      containers: p.spec.containers.map((c) => ({
        name: c.name,
        cpuNanos: 1000,
        memoryBytes: 1 << 20,
        requests: 0,
        startTime: now - 60_000,
      })),
    })),
  })
}

function report(a, p, gone) {
  a.batch.set(p.uid, {
    uid: p.uid,
    namespace: p.namespace,
    name: p.name,
    status: running(p),
    ...(gone ? { gone: true } : {}),
  })
  a.batchTimer ??= setTimeout(() => {
    a.batchTimer = undefined
    const pods = [...a.batch.values()]
    a.batch.clear()
    const id = `${a.node}-${seq++}`
    const r = { type: 'status', id, pods }
    a.unacked.set(id, { report: r, uids: pods.filter((u) => !u.gone).map((u) => u.uid) })
    pub(a, 'status', r)
  }, 50)
}

function take(a, pods) {
  for (const p of pods) {
    const had = a.pods.get(p.uid)
    a.pods.set(p.uid, p)
    if (p.deletionTimestamp) report(a, p, true)
    else if (!had) {
      a.received++
      report(a, p, false)
    }
  }
  dirty = true
}

function onMessage(a, topic, payload) {
  let m
  try {
    m = dec.decode(payload)
  } catch {
    return
  }
  if (m.type === 'status-ack') {
    const r = a.unacked.get(m.id)
    if (!r) return
    a.unacked.delete(m.id)
    for (const uid of r.uids) if (a.pods.has(uid)) a.acked.add(uid)
    dirty = true
  } else if (m.type === 'desired') {
    if (m.revision <= a.revision)
      return pub(a, 'applied', { type: 'applied', revision: a.revision })
    const keep = new Set(m.pods.map((p) => p.uid))
    for (const uid of [...a.pods.keys()])
      if (!keep.has(uid)) (a.pods.delete(uid), a.acked.delete(uid))
    take(a, m.pods)
    a.revision = m.revision
    a.desiredSinceMark = true
    pub(a, 'applied', { type: 'applied', revision: m.revision })
  } else if (m.type === 'desired-change') {
    if (m.revision <= a.revision) return
    if (m.base !== a.revision)
      return pub(a, 'applied', { type: 'applied', revision: a.revision, resync: true })
    for (const uid of m.removed) (a.pods.delete(uid), a.acked.delete(uid))
    take(a, m.set)
    a.revision = m.revision
    a.desiredSinceMark = true
    pub(a, 'applied', { type: 'applied', revision: m.revision })
  } else if (m.type === 'mesh' || m.type === 'mesh-change') {
    if (m.type === 'mesh-change' && m.base !== a.meshRevision)
      return pub(a, 'mesh-applied', {
        type: 'mesh-applied',
        revision: a.meshRevision,
        resync: true,
      })
    a.meshRevision = Math.max(a.meshRevision, m.revision)
    pub(a, 'mesh-applied', { type: 'mesh-applied', revision: m.revision })
  }
}

function counts() {
  let connected = 0
  let received = 0
  let pods = 0
  let acked = 0
  let hellos = 0
  let desired = 0
  for (const a of agents.values()) {
    if (a.client.connected) connected++
    received += a.received
    pods += a.pods.size
    acked += a.acked.size
    if (a.helloAt >= marked) hellos++
    if (a.desiredSinceMark) desired++
  }
  return { connected, received, pods, acked, hellos, desired }
}

setInterval(() => {
  if (!dirty) return
  dirty = false
  process.send({ ev: 'counts', t: Date.now(), ...counts() })
}, 100).unref()

let beatTimer
let statsTimer
process.on('message', async (m) => {
  if (m.cmd === 'connect') {
    HEARTBEAT = m.heartbeatMs ?? HEARTBEAT
    for (const [node, token] of m.nodes) connect(m.url, m.ca, node, token)
    // each agent beats on its own phase, as real agents started at different times do
    const list = [...agents.values()]
    let i = 0
    beatTimer = setInterval(() => {
      for (let k = 0; k < Math.ceil(list.length / 20); k++) heartbeat(list[i++ % list.length])
    }, HEARTBEAT / 20)
    let j = 0
    statsTimer = setInterval(() => {
      for (let k = 0; k < Math.ceil(list.length / 100); k++) stats(list[j++ % list.length])
    }, STATS / 100)
    process.send({ ev: 'ok', cmd: m.cmd })
  } else if (m.cmd === 'mark') {
    marked = Date.now()
    for (const a of agents.values()) a.desiredSinceMark = false
    dirty = true
    process.send({ ev: 'ok', cmd: m.cmd })
  } else if (m.cmd === 'close') {
    clearInterval(beatTimer)
    clearInterval(statsTimer)
    await Promise.all(
      [...agents.values()].map((a) => a.client.endAsync(true).catch(() => undefined)),
    )
    agents.clear()
    process.send({ ev: 'ok', cmd: m.cmd })
  }
})
