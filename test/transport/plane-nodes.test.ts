// The plane with its broker, as a node meets it: the join routes (and the join command the CLI
// prints), the node token at work on the API and over MQTT, garbage over MQTT, `kubectl logs`
// answered by a node (an MQTT.js client standing in for the agent), node Leases (with stock
// kubectl), and node certificates from CSRs (join and renewal).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, spawnSync } from 'node:child_process'
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decode, encode } from 'cbor-x'
import mqtt, { type MqttClient } from 'mqtt'
import { memoryLogger } from '../../src/core/index.ts'
import { createPlane, createTokenStore, type Plane } from '../../src/plane/index.ts'
import { caCertHash, joinPlane } from '../../src/node-agent/index.ts'
import { makeNodeRequest } from '../../src/node-agent/node-certificate.ts'
import { freePort } from '../e2e/plane-process.ts'

const root = new URL('../..', import.meta.url).pathname
const dir = mkdtempSync(join(tmpdir(), 'shoal-plane-nodes-'))
const dataDir = join(dir, 'data')
const log = memoryLogger()
const haveKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0
let plane: Plane
let ca: string
let admin: string

test.before(async () => {
  plane = await createPlane({
    dataDir,
    listen: `127.0.0.1:${await freePort()}`, // the kubeconfig names the port: not 0
    mqttListen: '127.0.0.1:0',
    logger: log,
  })
  ca = readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8')
  admin = createTokenStore(dataDir).issue({ role: 'admin', user: 'root' })
})

test.after(async () => {
  await plane.close()
  rmSync(dir, { recursive: true, force: true })
})

interface Answer {
  status: number
  text: string
  json: any
}

function call(method: string, path: string, o: { token?: string; body?: unknown } = {}) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request(
      `${plane.url}${path}`,
      {
        method,
        ca,
        headers: {
          ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
          ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        let text = ''
        res.on('data', (d) => (text += d))
        res.on('end', () => {
          let json: unknown
          try {
            json = JSON.parse(text)
          } catch {
            json = undefined
          }
          resolve({ status: res.statusCode!, text, json })
        })
      },
    )
    req.on('error', reject)
    req.end(o.body === undefined ? undefined : JSON.stringify(o.body))
  })
}

function shoal(...args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/main.ts'), ...args])
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('close', (code) => resolve({ code, out }))
  })
}

async function joinNode(node: string): Promise<Answer> {
  const joinToken = createTokenStore(dataDir).issue({ role: 'join' })
  return call('POST', '/shoal/v1/join', { token: joinToken, body: { node } })
}

test('the join command: its CA hash matches GET /shoal/v1/ca (no token needed), its token joins', async () => {
  const r = await shoal('token', 'issue', '--role', 'join', '--data-dir', dataDir)
  assert.is(r.code, 0, r.out)
  const token = r.out.split('\n')[0]!
  const m =
    / --join (\S+) --token (\S+) --ca-cert-hash (sha256:[0-9a-f]{64}) --name \S+ --data-dir \S+/.exec(
      r.out,
    )
  assert.ok(m, r.out)
  assert.is(m![1], plane.url)
  assert.is(m![2], token)
  const served = await call('GET', '/shoal/v1/ca')
  assert.is(served.status, 200)
  const der = new X509Certificate(served.text).raw
  assert.is(m![3], `sha256:${createHash('sha256').update(der).digest('hex')}`)
  const joined = await call('POST', '/shoal/v1/join', { token, body: { node: 'pi-7' } })
  assert.is(joined.status, 200, joined.text)
  assert.equal(Object.keys(joined.json).sort(), ['caCert', 'mqtt', 'node', 'token'])
  assert.is(joined.json.node, 'pi-7')
  assert.is(joined.json.caCert, served.text)
  assert.is(joined.json.mqtt, plane.mqttUrl)
})

test('a joined node token acts as that node on the API; the join token can do nothing else', async () => {
  const joinToken = createTokenStore(dataDir).issue({ role: 'join' })
  const a = await call('POST', '/shoal/v1/join', { token: joinToken, body: { node: 'pi-8' } })
  const nodeToken = a.json.token as string
  assert.is((await call('GET', '/api/v1/nodes', { token: nodeToken })).status, 200)
  const secret = await call('GET', '/api/v1/namespaces/default/secrets/x', { token: nodeToken })
  assert.is(secret.status, 403)
  const whoami = await call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    token: nodeToken,
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  })
  assert.is(whoami.json?.status?.userInfo?.username, 'system:node:pi-8')

  for (const [method, path] of [
    ['GET', '/api/v1/namespaces/default/pods'],
    ['GET', '/api/v1/nodes'],
    ['GET', '/api'],
    ['GET', '/images/'],
  ]) {
    const r = await call(method, path, { token: joinToken })
    assert.is(r.status, 403, `${method} ${path}: ${r.text}`)
    assert.match(r.json.message, /a join token may only join a node/)
  }
  const again = await call('POST', '/shoal/v1/join', { token: joinToken, body: { node: 'pi-8' } })
  assert.is(again.status, 200)
  assert.is.not(again.json.token, nodeToken, 'joining again: a new token')
  assert.is(
    (await call('GET', '/api/v1/nodes', { token: nodeToken })).status,
    200,
    'the old one stays',
  )
  for (const body of [{ node: 'Pi_8' }, { node: 'a/b' }, {}, { node: 7 }]) {
    const r = await call('POST', '/shoal/v1/join', { token: joinToken, body })
    assert.is(r.status, 422, JSON.stringify(body))
  }
  assert.is((await call('POST', '/shoal/v1/join', { body: { node: 'x' } })).status, 401)
  const viewer = createTokenStore(dataDir).issue({ role: 'viewer', user: 'val' })
  assert.is(
    (await call('POST', '/shoal/v1/join', { token: viewer, body: { node: 'x' } })).status,
    403,
  )
})

/** a stand-in agent: MQTT.js with the node's joined credentials */
async function agent(node: string): Promise<{ client: MqttClient; got: any[] }> {
  const creds = (await joinNode(node)).json
  const client = await mqtt.connectAsync(creds.mqtt, {
    ca: creds.caCert,
    username: node,
    password: creds.token,
    clientId: node,
    protocolVersion: 4,
    reconnectPeriod: 0,
    will: {
      topic: `shoal/v1/nodes/${node}/online`,
      payload: Buffer.from('0'),
      qos: 1,
      retain: true,
    },
  })
  const got: any[] = []
  client.on('message', (_t, p) => got.push(decode(p)))
  await client.subscribeAsync([`shoal/v1/nodes/${node}/req`, `shoal/v1/nodes/${node}/desired`], {
    qos: 1,
  })
  await client.publishAsync(`shoal/v1/nodes/${node}/online`, '1', { qos: 1, retain: true })
  return { client, got }
}

const hello = (node: string) =>
  encode({
    type: 'hello',
    appliedRevision: 0,
    bootId: 'b1',
    info: {
      architecture: 'arm64',
      operatingSystem: 'linux',
      kernelVersion: '6.6',
      agentVersion: '0.1.0',
      labels: {},
      addresses: [{ type: 'Hostname', address: node }],
      capacity: { cpu: '4', memory: '4Gi', pods: '110' },
      allocatable: { cpu: '4', memory: '4Gi', pods: '110' },
    },
  })

const until = async (what: () => boolean | Promise<boolean>, ms = 5000) => {
  const end = Date.now() + ms
  while (!(await what())) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}

test('garbage over MQTT does not crash the plane; the node is still served after it', async () => {
  const { client, got } = await agent('pi-9')
  const leaves = ['hello', 'applied', 'status', 'heartbeat', 'stats', 'res']
  const junk: Buffer[] = [
    Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919) % 256)),
    Buffer.from([0x9b, 0, 0, 0, 1, 0, 0, 0, 0]), // an array of 2^32 items, announced
    Buffer.from([...new Array(20_000).fill(0x81), 0]), // 20,000 levels deep
    encode({ type: 'status', id: 'x', pods: new Array(50_000).fill(0) }),
    encode({ type: 'hello', appliedRevision: -1 }),
    encode('hello'),
    Buffer.alloc(0),
  ]
  for (const leaf of leaves)
    for (const p of junk) await client.publishAsync(`shoal/v1/nodes/pi-9/${leaf}`, p, { qos: 1 })
  await client.publishAsync('shoal/v1/nodes/pi-9/hello', hello('pi-9'), { qos: 1 })
  await until(() => got.some((m) => m.type === 'desired'))
  assert.is((await call('GET', '/healthz')).status, 200)
  // the Node is written after the desired state goes out (the node's pods come first)
  const node = () => call('GET', '/api/v1/nodes/pi-9', { token: admin })
  await until(async () => (await node()).status === 200).catch(() => undefined)
  assert.is((await node()).status, 200, 'the hello after the garbage made the Node')
  const dropped = log.lines.filter((l) => l.msg === 'malformed message dropped')
  assert.is(dropped.length, leaves.length * junk.length)
  await client.endAsync()
})

test("a node's stats are held as rates, and go when its connection does", async () => {
  const { client } = await agent('pi-12')
  const usage = (cpuSeconds: number) => ({ cpuNanos: cpuSeconds * 1e9, memoryBytes: 300e6 })
  const sample = (time: number, cpuSeconds: number, requests: number) =>
    encode({
      type: 'stats',
      time,
      node: { ...usage(cpuSeconds * 4), agent: usage(cpuSeconds) },
      pods: [
        {
          ...{ uid: 'u-12', namespace: 'default', name: 'web' },
          containers: [{ name: 'app', ...usage(cpuSeconds), requests, startTime: 1000 }],
        },
      ],
    })
  await client.publishAsync('shoal/v1/nodes/pi-12/stats', sample(10_000, 1, 10), { qos: 1 })
  await client.publishAsync('shoal/v1/nodes/pi-12/stats', sample(20_000, 2, 110), { qos: 1 })
  await until(() => plane.nodeStats!.node('pi-12') !== undefined)
  const node = plane.nodeStats!.node('pi-12')!
  assert.equal([node.cpuMillicores, node.agent.cpuMillicores, node.windowMs], [400, 100, 10_000])
  const pod = plane.nodeStats!.pod('default', 'web')!
  assert.equal(
    [pod.node, pod.containers[0].cpuMillicores, pod.containers[0].requestsPerSecond],
    ['pi-12', 100, 10],
  )
  // served as metrics.k8s.io, for kubectl top (a node's token may not read them)
  await client.publishAsync('shoal/v1/nodes/pi-12/hello', hello('pi-12'), { qos: 1 })
  await until(
    async () => (await call('GET', '/api/v1/nodes/pi-12', { token: admin })).status === 200,
  )
  const metrics = '/apis/metrics.k8s.io/v1beta1'
  const listed = await call('GET', `${metrics}/namespaces/default/pods`, { token: admin })
  assert.is(listed.status, 200, listed.text)
  assert.equal(listed.json.items[0].containers, [
    { name: 'app', usage: { cpu: '100000000n', memory: '292969Ki' } },
  ])
  const bad = await call('GET', `${metrics}/pods?labelSelector=a%20in%20(`, { token: admin })
  assert.is(bad.status, 400, bad.text)
  const { token: nodeToken } = (await joinNode('pi-13')).json
  assert.is((await call('GET', `${metrics}/nodes`, { token: nodeToken })).status, 403)
  if (haveKubectl) {
    const top = await kubectl(['top', 'node', 'pi-12']).done
    assert.is(top.status, 0, top.json)
    assert.match(top.text, /pi-12\s+400m\s+\S+\s+286Mi/)
    const pods = await kubectl(['top', 'pod', 'web', '--containers']).done
    assert.is(pods.status, 0, pods.json)
    assert.match(pods.text, /web\s+app\s+100m\s+286Mi/)
  }
  client.stream.destroy() // the connection dies: its Last Will
  await until(() => plane.nodeStats!.node('pi-12') === undefined)
  assert.is(plane.nodeStats!.pod('default', 'web'), undefined)
  await client.endAsync(true)
})

function kubectl(args: string[]): { child: ReturnType<typeof spawn>; done: Promise<Answer> } {
  const child = spawn('kubectl', ['--kubeconfig', plane.adminKubeconfig!, ...args])
  let out = ''
  let err = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (err += d))
  const done = new Promise<Answer>((resolve) =>
    child.on('close', (code) => resolve({ status: code ?? -1, text: out, json: err })),
  )
  return { child, done }
}

test('kubectl logs: lines from the node, with --tail, -c, --since, --previous, -f; clear errors', async () => {
  if (!haveKubectl) return console.log('SKIPPED kubectl logs: no kubectl on PATH')
  const { client, got } = await agent('pi-10')
  await client.publishAsync('shoal/v1/nodes/pi-10/hello', hello('pi-10'), { qos: 1 })
  const pod = (name: string, node?: string) =>
    call('POST', '/api/v1/namespaces/default/pods', {
      token: admin,
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name },
        spec: {
          ...(node ? { nodeName: node } : {}),
          containers: [{ name: 'app', image: 'hello:1' }],
        },
      },
    })
  assert.is((await pod('web', 'pi-10')).status, 201)
  assert.is((await pod('idle')).status, 201)
  assert.is((await pod('away', 'pi-11')).status, 201)
  let cancelled: string | undefined
  client.on('message', (_t, p) => {
    const m = decode(p)
    if (m.type === 'cancel') cancelled = m.id
    if (m.type !== 'logs') return
    const reply = (r: object) =>
      client.publish('shoal/v1/nodes/pi-10/res', encode({ type: 'response', id: m.id, ...r }), {
        qos: 1,
      })
    if (m.follow) reply({ lines: ['first\n'] })
    else reply({ lines: ['a\n', 'b\n', 'c\n'].slice(-(m.tailLines ?? 3)), done: true })
  })
  const tail = await kubectl(['logs', 'web', '--tail=2']).done
  assert.is(tail.status, 0, tail.json)
  assert.is(tail.text, 'b\nc\n')
  const asked = () => got.filter((m) => m.type === 'logs').at(-1)
  assert.equal(
    [asked().namespace, asked().pod, asked().container, asked().tailLines],
    ['default', 'web', 'app', 2],
  )
  const opts = await kubectl([
    'logs',
    'web',
    '-c',
    'app',
    '--since=1h',
    '--previous',
    '--timestamps',
  ]).done
  assert.is(opts.status, 0, opts.json)
  assert.equal([asked().sinceSeconds, asked().previous, asked().timestamps], [3600, true, true])

  const follow = kubectl(['logs', '-f', 'web'])
  let streamed = ''
  follow.child.stdout!.on('data', (d) => (streamed += d))
  await until(() => streamed === 'first\n')
  const id = asked().id
  follow.child.kill()
  await follow.done
  await until(() => cancelled === id)

  const idle = await kubectl(['logs', 'idle']).done
  assert.is.not(idle.status, 0)
  assert.match(idle.json, /pod idle is not scheduled to a node yet/)
  const away = await kubectl(['logs', 'away']).done
  assert.is.not(away.status, 0)
  assert.match(away.json, /node pi-11 is not connected/)
  await client.endAsync()
})

test("a node's Lease: made and renewed from its heartbeats, read with stock kubectl; a node reads and renews only its own", async () => {
  const { client } = await agent('pi-30')
  const other = (await joinNode('pi-31')).json.token as string
  const own = (await joinNode('pi-30')).json.token as string
  await client.publishAsync('shoal/v1/nodes/pi-30/hello', hello('pi-30'), { qos: 1 })
  const beat = encode({
    type: 'heartbeat',
    time: 1,
    conditions: [{ type: 'Ready', status: 'True' }],
  })
  await client.publishAsync('shoal/v1/nodes/pi-30/heartbeat', beat, { qos: 1 })
  const path = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/pi-30'
  await until(async () => (await call('GET', path, { token: admin })).status === 200)
  const lease = (await call('GET', path, { token: admin })).json
  assert.is(lease.spec.holderIdentity, 'pi-30')
  assert.is(lease.spec.leaseDurationSeconds, 40)
  assert.match(lease.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
  assert.ok(Math.abs(Date.parse(lease.spec.renewTime) - Date.now()) < 60_000)

  assert.is((await call('GET', path, { token: own })).status, 200, 'its own: readable')
  const renewed = {
    ...lease,
    spec: { ...lease.spec, renewTime: new Date().toISOString().replace('Z', '000Z') },
  }
  const put = await call('PUT', path, { token: own, body: renewed })
  assert.is(put.status, 200, put.text)
  const foreign = await call('GET', path, { token: other })
  assert.is(foreign.status, 403)
  assert.match(
    foreign.json.message,
    /may only get, update, patch its own Lease \(kube-node-lease\/pi-31\)/,
  )
  assert.is((await call('PUT', path, { token: other, body: renewed })).status, 403)
  const list = await call('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', {
    token: own,
  })
  assert.is(list.status, 403, 'no listing of every Lease')

  if (!haveKubectl) return console.log('SKIPPED kubectl get leases: no kubectl on PATH')
  const got = await kubectl(['get', 'leases', '-n', 'kube-node-lease']).done
  assert.is(got.status, 0, got.json)
  assert.match(got.text, /^NAME\s+HOLDER\s+AGE\n/)
  assert.match(got.text, /\npi-30\s+pi-30\s+\d+s\n/)
  const yaml = await kubectl([
    'get',
    'lease',
    'pi-30',
    '-n',
    'kube-node-lease',
    '-o',
    'jsonpath={.spec.holderIdentity}/{.spec.leaseDurationSeconds}',
  ]).done
  assert.is(yaml.text, 'pi-30/40', yaml.json)
  await client.endAsync()
})

test('join with a CSR on the real plane: the certificate chains to the CA; renewal only for the calling node', async () => {
  const joinToken = createTokenStore(dataDir).issue({ role: 'join' })
  const nodeDir = join(dir, 'agent-pi-40')
  const creds = await joinPlane({
    plane: plane.url,
    token: joinToken,
    caCertHash: caCertHash(ca),
    node: 'pi-40',
    addresses: ['192.168.7.40'],
    dataDir: nodeDir,
    log: memoryLogger(),
  })
  const pem = readFileSync(join(nodeDir, 'node.pem'), 'utf8')
  const cert = new X509Certificate(pem)
  assert.ok(cert.verify(new X509Certificate(ca).publicKey))
  assert.is(cert.subject, 'CN=system:node:pi-40\nO=system:nodes')
  assert.is(cert.subjectAltName, 'DNS:pi-40, IP Address:192.168.7.40')
  assert.equal(cert.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'])
  const renew = (token: string, csr: unknown) =>
    call('POST', '/shoal/v1/node-certificate', { token, body: { csr } })
  const mine = await makeNodeRequest('pi-40', [])
  const ok = await renew(creds.token, mine.csrPem)
  assert.is(ok.status, 200, ok.text)
  assert.ok(new X509Certificate(ok.json.certificate).checkPrivateKey(createPrivateKey(mine.keyPem)))
  const theirs = await makeNodeRequest('pi-41', [])
  const wrong = await renew(creds.token, theirs.csrPem)
  assert.is(wrong.status, 422)
  assert.match(wrong.json.message, /subject must be exactly "CN=system:node:pi-40, O=system:nodes"/)
  assert.is((await renew(joinToken, mine.csrPem)).status, 403, 'a join token renews nothing')
  assert.is((await renew(admin, mine.csrPem)).status, 403, 'an admin is no node')
  assert.is((await renew(creds.token, undefined)).status, 422)
  const refused = await call('POST', '/shoal/v1/join', {
    token: joinToken,
    body: { node: 'pi-42', csr: theirs.csrPem },
  })
  assert.is(refused.status, 422, 'a CSR for another node: no token')
  assert.match(refused.json.message, /certificate request of node "pi-42" is refused/)
})

test.run()
