import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseFromNode, parseToNode } from './parse.ts'
import { nodeMay, nodeTopic, parseNodeTopic } from './topics.ts'

test('good messages pass, each side only its own', () => {
  const desired = {
    type: 'desired',
    revision: 7,
    pods: [
      {
        uid: 'u',
        namespace: 'default',
        name: 'p',
        resourceVersion: '7',
        spec: { containers: [] },
        images: {},
      },
    ],
  }
  assert.ok(parseToNode(desired).ok)
  assert.not.ok(parseFromNode(desired).ok)
  const change = {
    type: 'desired-change',
    revision: 9,
    base: 7,
    set: desired.pods,
    removed: ['u2'],
  }
  assert.ok(parseToNode(change).ok)
  assert.not.ok(parseFromNode(change).ok)
  assert.equal(parseToNode({ ...change, removed: [3] }), {
    ok: false,
    error: 'desired-change: field "removed" is missing or malformed',
  })
  assert.equal(parseToNode({ ...change, base: -1 }), {
    ok: false,
    error: 'desired-change: field "base" is missing or malformed',
  })
  assert.ok(parseFromNode({ type: 'applied', revision: 5, resync: true }).ok)
  assert.not.ok(parseFromNode({ type: 'applied', revision: 5, resync: 'yes' }).ok)
  const status = {
    type: 'status',
    id: 'n-1',
    pods: [{ uid: 'u', namespace: 'default', name: 'p', status: { phase: 'Running' } }],
  }
  assert.ok(parseFromNode(status).ok)
  assert.not.ok(parseToNode(status).ok)
})

const info = {
  architecture: 'arm64',
  operatingSystem: 'linux',
  kernelVersion: '6.6.0',
  agentVersion: '0.1.0',
  labels: { zone: 'a' },
  addresses: [{ type: 'InternalIP', address: '10.0.0.7' }],
  capacity: { cpu: '4', memory: '4Gi', pods: '110' },
  allocatable: { cpu: '4', memory: '3Gi', pods: '110' },
}

test('a hello and a heartbeat with their nested fields pass', () => {
  assert.ok(parseFromNode({ type: 'hello', appliedRevision: 0, bootId: 'b', info }).ok)
  const conditions = [{ type: 'Ready', status: 'True', reason: 'AgentReady' }]
  assert.ok(parseFromNode({ type: 'heartbeat', time: 1, conditions, images: [] }).ok)
})

const usage = { cpuNanos: 5, memoryBytes: 7 }
const container = { name: 'main', ...usage, requests: 3, startTime: 1 }
const stats = (pods: unknown, node: unknown = { ...usage, agent: usage }) => ({
  type: 'stats',
  time: 1,
  node,
  pods,
})

test('a stats sample passes; a malformed one names its field', () => {
  const pod = { uid: 'u', namespace: 'default', name: 'web', containers: [container] }
  assert.ok(parseFromNode(stats([pod])).ok)
  const cases: [unknown, RegExp][] = [
    [stats([pod], usage), /stats: field "node"/],
    [stats([{ ...pod, containers: [{ ...container, cpuNanos: -1 }] }]), /stats: field "pods"/],
    [stats([{ ...pod, containers: [{ ...container, requests: '3' }] }]), /stats: field "pods"/],
    [stats([{ ...pod, uid: 7 }]), /stats: field "pods"/],
    [stats('none'), /stats: field "pods"/],
  ]
  for (const [v, re] of cases) {
    const r = parseFromNode(v)
    assert.not.ok(r.ok, JSON.stringify(v).slice(0, 80))
    if (!r.ok) assert.match(r.error, re)
  }
})

test('stats may carry the mesh per endpoint (an older agent leaves it out); a malformed entry names the field', () => {
  const pod = { uid: 'u', namespace: 'default', name: 'web', containers: [container] }
  const latency = new Array(14).fill(0).map((_, i) => i)
  const ep = { namespace: 'default', service: 'web', pod: 'web-1', requests: 9, errors: 1, latency }
  assert.ok(parseFromNode({ ...stats([pod]), mesh: [ep] }).ok)
  assert.ok(parseFromNode({ ...stats([pod]), mesh: [] }).ok)
  for (const bad of [
    { ...ep, errors: -1 },
    { ...ep, requests: 1.5 },
    { ...ep, latency: latency.slice(1) },
    { ...ep, latency: [...latency.slice(1), 'x'] },
    { ...ep, service: 7 },
    'web-1',
  ]) {
    const r = parseFromNode({ ...stats([pod]), mesh: [bad] })
    assert.not.ok(r.ok, JSON.stringify(bad))
    if (!r.ok) assert.match(r.error, /stats: field "mesh"/)
  }
  const r = parseFromNode({ ...stats([pod]), mesh: 'all' })
  assert.not.ok(r.ok)
})

test('garbage is a value that names what is wrong', () => {
  const cases: [unknown, RegExp][] = [
    [null, /must be a map/],
    [[1, 2], /must be a map/],
    [{ type: 'nope' }, /unknown message type "nope"/],
    [{ type: '__proto__' }, /unknown message type/],
    [{ type: 'applied', revision: -1 }, /applied: field "revision"/],
    [{ type: 'applied', revision: 1.5 }, /applied: field "revision"/],
    [{ type: 'status', id: 'x', pods: [{ uid: 'u' }] }, /status: field "pods"/],
    [{ type: 'status', id: 'x'.repeat(500), pods: [] }, /status: field "id"/],
    [
      {
        type: 'status',
        id: 'x',
        pods: [{ uid: 'u', namespace: 'd', name: 'p', status: {}, ports: { main: 70000 } }],
      },
      /status: field "pods"/,
    ],
    [{ type: 'heartbeat', time: 1, conditions: 'Ready' }, /heartbeat: field "conditions"/],
    [
      { type: 'heartbeat', time: 1, conditions: [{ type: 'Ready', status: 'yes' }] },
      /heartbeat: field "conditions"/,
    ],
    [
      { type: 'heartbeat', time: 1, conditions: [], images: new Array(10_001).fill('sha256:a') },
      /heartbeat: field "images"/,
    ],
    [{ type: 'hello', appliedRevision: 0, bootId: 'b', info: {} }, /hello: field "info"/],
    [
      { type: 'hello', appliedRevision: 0, bootId: 'b', info: { ...info, labels: { a: 1 } } },
      /hello: field "info"/,
    ],
    [
      { type: 'response', id: 'r', error: { code: 'Teapot', message: 'x' } },
      /response: field "error"/,
    ],
  ]
  for (const [v, re] of cases) {
    const r = parseFromNode(v)
    assert.not.ok(r.ok, JSON.stringify(v)?.slice(0, 50))
    if (!r.ok) assert.match(r.error, re)
  }
})

test('topics: a node may touch only its own subtree, each leaf in its direction', () => {
  assert.is(nodeTopic('pi-07', 'desired'), 'shoal/v1/nodes/pi-07/desired')
  assert.equal(parseNodeTopic('shoal/v1/nodes/pi-07/status'), { node: 'pi-07', leaf: 'status' })
  assert.ok(nodeMay('pi-07', 'publish', 'shoal/v1/nodes/pi-07/status'))
  assert.ok(nodeMay('pi-07', 'subscribe', 'shoal/v1/nodes/pi-07/desired'))
  assert.not.ok(
    nodeMay('pi-07', 'publish', 'shoal/v1/nodes/pi-07/desired'),
    'a node cannot forge its own desired state',
  )
  assert.not.ok(nodeMay('pi-07', 'subscribe', 'shoal/v1/nodes/pi-08/desired'))
  assert.not.ok(nodeMay('pi-07', 'subscribe', 'shoal/v1/nodes/+/desired'))
  assert.not.ok(nodeMay('pi-07', 'subscribe', 'shoal/v1/nodes/#'))
  assert.not.ok(nodeMay('pi-07', 'publish', 'shoal/v1/nodes/pi-07/status/x'))
})

const meshService = {
  namespace: 'default',
  name: 'web',
  resourceVersion: '12',
  type: 'NodePort',
  exposed: true,
  ports: [{ name: '', port: 80, protocol: 'TCP', nodePort: 30080 }],
  sessionAffinity: 'None',
  loadBalancer: 'least-request',
  endpoints: [
    {
      ...{ uid: 'u1', pod: 'default/web-1', node: 'pi-1', ports: { '': 40001 } },
      ...{ ready: true, serving: true, terminating: false },
    },
  ],
}
const meshNode = { name: 'pi-1', address: '10.0.0.1', meshPort: 10443, online: true }
const ingressRoute = {
  ...{ ingress: 'default/shop', host: '*.example.com', pathType: 'Prefix', path: '/api' },
  ...{ namespace: 'default', service: 'api', port: 'http' },
}

test('mesh tables and changes pass to nodes; mesh-applied from nodes; hello may carry the mesh revision and port', () => {
  const mesh = { type: 'mesh', revision: 12, services: [meshService], nodes: [meshNode] }
  assert.ok(parseToNode(mesh).ok)
  const tls = [{ secret: 'default/shop-tls', hosts: ['shop.example.com'] }]
  assert.ok(parseToNode({ ...mesh, ingress: [ingressRoute], ingressTls: tls }).ok)
  assert.equal(parseFromNode(mesh), { ok: false, error: 'mesh is not sent by nodes' })
  const change = {
    ...{ type: 'mesh-change', revision: 13, base: 12, services: [meshService] },
    ...{ removedServices: ['default/old'], nodes: [], removedNodes: ['pi-9'] },
  }
  assert.ok(parseToNode(change).ok)
  assert.ok(parseFromNode({ type: 'mesh-applied', revision: 13 }).ok)
  assert.ok(parseFromNode({ type: 'mesh-applied', revision: 12, resync: true }).ok)
  assert.equal(parseToNode({ type: 'mesh-applied', revision: 13 }), {
    ok: false,
    error: 'mesh-applied is not sent to nodes',
  })
  const hello = { type: 'hello', appliedRevision: 3, bootId: 'b', meshRevision: 12 }
  assert.ok(parseFromNode({ ...hello, info: { ...info, meshPort: 10443 } }).ok)
  assert.equal(parseFromNode({ ...hello, info: { ...info, meshPort: 70000 } }), {
    ok: false,
    error: 'hello: field "info" is missing or malformed',
  })
  assert.equal(parseFromNode({ ...hello, meshRevision: 'x', info }), {
    ok: false,
    error: 'hello: field "meshRevision" is missing or malformed',
  })
})

test('malformed mesh tables are refused, naming the field', () => {
  const ep = meshService.endpoints[0]
  const svc = (over: object) => ({
    type: 'mesh',
    revision: 1,
    services: [{ ...meshService, ...over }],
    nodes: [meshNode],
  })
  const cases: [unknown, string][] = [
    [svc({ type: 'ExternalName' }), 'mesh: field "services" is missing or malformed'],
    [svc({ exposed: 'yes' }), 'mesh: field "services" is missing or malformed'],
    [svc({ ports: [{ name: '', port: 0, protocol: 'TCP' }] }), 'mesh: field "services"'],
    [svc({ loadBalancer: 'random' }), 'mesh: field "services"'],
    [svc({ endpoints: [{ ...ep, ports: { '': 99999 } }] }), 'mesh: field "services"'],
    [svc({ endpoints: [{ ...ep, ready: 1 }] }), 'mesh: field "services"'],
    [svc({ endpoints: 'all' }), 'mesh: field "services"'],
    [
      { type: 'mesh', revision: 1, services: [], nodes: [{ ...meshNode, online: 'y' }] },
      'mesh: field "nodes" is missing or malformed',
    ],
    [{ type: 'mesh', revision: -1, services: [], nodes: [] }, 'mesh: field "revision"'],
    [{ type: 'mesh', revision: 1, nodes: [] }, 'mesh: field "services"'],
    [
      {
        ...{ type: 'mesh-change', revision: 2, base: 1, services: [], nodes: [] },
        ...{ removedServices: [7], removedNodes: [] },
      },
      'mesh-change: field "removedServices" is missing or malformed',
    ],
    [
      { type: 'mesh-change', revision: 2, services: [], nodes: [], removedServices: [] },
      'mesh-change: field "base" is missing or malformed',
    ],
    [{ type: 'mesh-applied', revision: 2, resync: 'y' }, 'mesh-applied: field "resync"'],
    [
      {
        type: 'mesh',
        revision: 1,
        services: [],
        nodes: [],
        ingress: [{ ...ingressRoute, pathType: 'Regex' }],
      },
      'mesh: field "ingress" is missing or malformed',
    ],
    [
      {
        type: 'mesh',
        revision: 1,
        services: [],
        nodes: [],
        ingress: [{ ...ingressRoute, port: 0 }],
      },
      'mesh: field "ingress"',
    ],
    [
      {
        type: 'mesh',
        revision: 1,
        services: [],
        nodes: [],
        ingressTls: [{ secret: 'a/b', hosts: 'x' }],
      },
      'mesh: field "ingressTls" is missing or malformed',
    ],
  ]
  for (const [v, msg] of cases) {
    const r = /applied/.test(JSON.stringify(v)) ? parseFromNode(v) : parseToNode(v)
    assert.not.ok(r.ok, JSON.stringify(v)?.slice(0, 80))
    if (!r.ok) assert.ok(r.error.startsWith(msg), r.error)
  }
})

test('topics: the mesh table is a leaf of the node itself, mesh-applied its answer', () => {
  assert.ok(nodeMay('pi-07', 'subscribe', 'shoal/v1/nodes/pi-07/mesh'))
  assert.not.ok(nodeMay('pi-07', 'subscribe', 'shoal/v1/nodes/pi-08/mesh'))
  assert.not.ok(nodeMay('pi-07', 'publish', 'shoal/v1/nodes/pi-07/mesh'))
  assert.ok(nodeMay('pi-07', 'publish', 'shoal/v1/nodes/pi-07/mesh-applied'))
  assert.not.ok(nodeMay('pi-07', 'publish', 'shoal/v1/nodes/pi-08/mesh-applied'))
})

test.run()
