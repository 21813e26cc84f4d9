// EndpointSlices in the real plane (in process, plain HTTP on loopback, scheduler off) through the
// stock kubectl: a Deployment and its Service applied, the pods put on two Nodes and made Running
// and Ready as their agents would report them (status.podIP, the node-local port annotation);
// `kubectl get endpointslices` shows the slice's columns, `kubectl describe service` its
// Endpoints line (kubectl ≥ 1.31 reads it from the slices); a scale-down updates the same slice
// in place; a malformed slice is refused naming the field; deleting the Service takes its slices.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isShoalError, memoryLogger } from '../../src/core/index.ts'
import { createPlane, type Plane } from '../../src/plane/index.ts'
import { resourceByKind, type EndpointSlice, type Node, type Pod } from '../../src/api/index.ts'
import { asyncKubectl, until } from './harness.ts'

const PODS = resourceByKind('Pod')!
const NODES = resourceByKind('Node')!
const dir = mkdtempSync(join(tmpdir(), 'shoal-slices-'))
const { kubectl, writeKubeconfig } = asyncKubectl(dir)
const address: Record<string, string> = { 'pi-1': '192.0.2.1', 'pi-2': '192.0.2.2' }
let plane: Plane
let agent: NodeJS.Timeout | undefined
let placed = 0

const stamp = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z')

const nodeObject = (name: string): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  spec: {},
  status: {
    addresses: [{ type: 'InternalIP', address: address[name] }],
    conditions: [
      { type: 'Ready', status: 'True', lastHeartbeatTime: stamp(), lastTransitionTime: stamp() },
    ],
  },
})

/** each new pod goes to pi-1, pi-2, pi-1…, and runs Ready there on a port of the node */
async function playAgents(): Promise<void> {
  const { items } = await plane.objects.list(PODS, {})
  for (const p of items as Pod[]) {
    if (p.metadata.deletionTimestamp || p.status?.podIP) continue
    const node = placed++ % 2 ? 'pi-2' : 'pi-1'
    const next: Pod = {
      ...p,
      metadata: {
        ...p.metadata,
        annotations: { ...p.metadata.annotations, 'shoal.dev/ports': `{"web":${40000 + placed}}` },
      },
      spec: { ...p.spec, nodeName: node },
      status: {
        ...p.status,
        phase: 'Running',
        hostIP: address[node],
        podIP: address[node],
        podIPs: [{ ip: address[node] }],
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: stamp() }],
      },
    }
    await plane.objects.replace(PODS, p, next).catch((err) => {
      if (!isShoalError(err, 'Conflict') && !isShoalError(err, 'NotFound')) throw err
    })
  }
}

const slices = async (): Promise<EndpointSlice[]> =>
  JSON.parse(
    await kubectl('get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'json'),
  ).items

/** the slices once they hold `n` endpoints */
const sliceWith = (n: number) =>
  until(`a slice of ${n} endpoints`, async () => {
    const s = await slices()
    return s.length === 1 && s[0].endpoints?.length === n ? s[0] : undefined
  })

const manifest = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "hello:1", ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, labels: {tier: front}}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
`

test.before(async () => {
  plane = await createPlane({
    dataDir: join(dir, 'data'),
    listen: '127.0.0.1:0',
    insecureHttp: true,
    scheduler: false,
    logger: process.env.DEBUG_LOG ? undefined : memoryLogger(),
  })
  for (const name of ['pi-1', 'pi-2']) await plane.objects.create(NODES, nodeObject(name))
  writeKubeconfig(plane.url)
  const tick = () => {
    agent = setTimeout(() => playAgents().then(tick, tick), 50)
  }
  tick()
})

test.after(async () => {
  clearTimeout(agent)
  agent = undefined
  await plane?.close()
  rmSync(dir, { recursive: true, force: true })
})

test('discovery: discovery.k8s.io/v1 endpointslices, namespaced, no short name', async () => {
  const rows = (await kubectl('api-resources', '--api-group=discovery.k8s.io')).trim().split('\n')
  assert.equal(rows[1].split(/\s+/), [
    'endpointslices',
    'discovery.k8s.io/v1',
    'true',
    'EndpointSlice',
  ])
  const legacy = JSON.parse(await kubectl('get', '--raw', '/apis/discovery.k8s.io/v1'))
  assert.equal(
    legacy.resources.map((r: { name: string; kind: string }) => [r.name, r.kind]),
    [['endpointslices', 'EndpointSlice']],
  )
})

test('kubectl get endpointslices: one slice of the three pods, its columns', async () => {
  writeFileSync(join(dir, 'web.yaml'), manifest(3))
  await kubectl('apply', '-f', join(dir, 'web.yaml'))
  const s = await sliceWith(3)
  assert.match(s.metadata.name!, /^web-[a-z0-9]{5}$/)
  assert.equal(s.metadata.labels, {
    tier: 'front',
    'kubernetes.io/service-name': 'web',
    'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
  })
  assert.equal(
    s.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.controller]),
    [['Service', 'web', true]],
  )
  assert.equal(s.ports, [{ name: 'http', protocol: 'TCP', port: 8080 }])
  // in the order the pods came, each new one appended (a slice is filled, not re-sorted)
  assert.equal(
    s.endpoints
      .map((e) => [e.addresses, e.nodeName, e.conditions, e.targetRef?.kind])
      .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)),
    [
      [['192.0.2.1'], 'pi-1', { ready: true, serving: true, terminating: false }, 'Pod'],
      [['192.0.2.1'], 'pi-1', { ready: true, serving: true, terminating: false }, 'Pod'],
      [['192.0.2.2'], 'pi-2', { ready: true, serving: true, terminating: false }, 'Pod'],
    ],
  )
  const ports = JSON.parse(s.metadata.annotations!['shoal.dev/ports'])
  assert.equal(Object.keys(ports).sort(), s.endpoints.map((e) => e.targetRef!.name!).sort())
  const table = (await kubectl('get', 'endpointslices')).trim().split('\n')
  assert.equal(table[0].split(/\s+/), ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'])
  assert.equal(table.length, 2)
  const row = table[1].split(/\s+/)
  assert.equal(row.slice(0, 3), [s.metadata.name, 'IPv4', '8080'])
  assert.equal(row[3], s.endpoints.map((e) => e.addresses[0]).join(','))
})

test('kubectl describe service: the Endpoints line lists the pod addresses', async () => {
  const out = await kubectl('describe', 'service', 'web')
  const line = /^Endpoints:\s+(\S+)$/m.exec(out)?.[1]
  assert.equal(line?.split(',').sort(), ['192.0.2.1:8080', '192.0.2.1:8080', '192.0.2.2:8080'], out)
  const ep = await kubectl('describe', 'endpointslice', '-l', 'kubernetes.io/service-name=web')
  assert.match(ep, /^AddressType:\s+IPv4$/m)
  assert.match(ep, /^\s+- Addresses:\s+192\.0\.2\.2$/m)
})

test('scaled to 1: the same slice updated in place', async () => {
  const before = (await slices())[0].metadata.name
  await kubectl('scale', 'deployment/web', '--replicas=1')
  const s = await sliceWith(1)
  assert.is(s.metadata.name, before)
  assert.match(await kubectl('describe', 'service', 'web'), /^Endpoints:\s+192\.0\.2\.\d:8080$/m)
})

test('a malformed slice is refused naming the field; kubectl explain knows the kind', async () => {
  writeFileSync(
    join(dir, 'bad.yaml'),
    `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: manual}
addressType: IP
endpoints: [{addresses: ["10.0.0.1"]}]
`,
  )
  const refused = await kubectl('apply', '-f', join(dir, 'bad.yaml')).then(
    () => '',
    (err: Error) => err.message,
  )
  assert.match(
    refused,
    /addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"/,
  )
  assert.match(await kubectl('explain', 'endpointslice.endpoints.conditions'), /serving/)
})

test('a slice of ones own: its generation counts endpoint and label changes, not annotations', async () => {
  writeFileSync(
    join(dir, 'own.yaml'),
    `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: external, labels: {kubernetes.io/service-name: external}}
addressType: FQDN
endpoints: [{addresses: ["db.example.com"]}]
ports: [{port: 5432}]
`,
  )
  await kubectl('apply', '-f', join(dir, 'own.yaml'))
  const generation = async () =>
    JSON.parse(await kubectl('get', 'endpointslice', 'external', '-o', 'json')).metadata.generation
  assert.is(await generation(), 1)
  await kubectl('annotate', 'endpointslice', 'external', 'note=x')
  assert.is(await generation(), 1)
  await kubectl('label', 'endpointslice', 'external', 'tier=db')
  assert.is(await generation(), 2)
  const own = JSON.parse(await kubectl('get', 'endpointslice', 'external', '-o', 'json'))
  assert.equal(own.ports, [{ name: '', protocol: 'TCP', port: 5432 }], 'defaulted')
  await kubectl('delete', 'endpointslice', 'external')
})

test('the Service deleted: its slices go', async () => {
  await kubectl('delete', 'service', 'web')
  await until('no slices of web', async () => ((await slices()).length ? undefined : true))
})

test.run()
