// The mesh table the plane's node channel builds and sends, against the real log store with the
// in-memory bus: the exact table from Services, EndpointSlices and Nodes; changes as differences
// with the same bytes to every node; hello, resync, a Last Will, and a restart of the channel.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { info, openChannelFixture } from './channel-fixture.ts'
import {
  resourceByKind,
  type EndpointSlice,
  type MeshChange,
  type MeshTable,
  type Service,
} from '../../src/api/index.ts'
import { withMeshChange } from '../../src/node-agent/mesh-cache.ts'

type Fixture = Awaited<ReturnType<typeof openChannelFixture>>
const SERVICES = resourceByKind('Service')!
const SLICES = resourceByKind('EndpointSlice')!

async function withFixture(name: string, run: (f: Fixture) => Promise<void>) {
  const f = await openChannelFixture(name)
  try {
    await run(f)
  } finally {
    await f.close()
  }
}

const helloOf = (node: string, meshRevision: number, meshPort = 10443) => ({
  type: 'hello',
  appliedRevision: 0,
  bootId: 'boot-1',
  meshRevision,
  info: {
    ...info,
    meshPort,
    addresses: [{ type: 'InternalIP', address: `10.0.0.${node.at(-1)}` }],
  },
})
const heartbeat = {
  type: 'heartbeat',
  time: 1,
  conditions: [{ type: 'Ready', status: 'True' }],
}

/** a node says hello and reports Ready, as an agent does on connecting */
async function connect(f: Fixture, node: string, meshRevision = 0) {
  f.bus.deliver(node, 'hello', helloOf(node, meshRevision))
  f.bus.deliver(node, 'heartbeat', heartbeat)
  await f.settle()
}

const web = (extra: Partial<Service['spec']> = {}, annotations?: Record<string, string>) =>
  ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', ...(annotations ? { annotations } : {}) },
    spec: {
      selector: { app: 'web' },
      ports: [
        { name: 'http', port: 80, targetPort: 'http' },
        { name: 'admin', port: 9000, targetPort: 9090 },
      ],
      ...extra,
    },
  }) as Service

const endpoint = (pod: string, node: string, conditions: Record<string, boolean>) => ({
  addresses: [`10.0.0.${node.at(-1)}`],
  conditions,
  nodeName: node,
  targetRef: { kind: 'Pod', namespace: 'default', name: pod, uid: `uid-${pod}` },
})

/** a slice as the EndpointSlice controller writes it: targetPorts resolved on the pods, each
 * pod's node-local port per Service port name in shoal.dev/ports */
const slice = (name: string, endpoints: unknown[], local: Record<string, unknown>) =>
  ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name,
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': 'web' },
      annotations: { 'shoal.dev/ports': JSON.stringify(local) },
    },
    addressType: 'IPv4',
    endpoints,
    ports: [
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'admin', port: 9090, protocol: 'TCP' },
    ],
  }) as EndpointSlice

/** the mesh messages sent to each node since the last call (everything sent is forgotten) */
function meshSent(f: Fixture): Record<string, Record<string, any>[]> {
  const out: Record<string, Record<string, any>[]> = {}
  for (const s of f.bus.take(undefined, 'mesh')) (out[s.topic.split('/')[3]] ??= []).push(s.msg)
  return out
}
const meshOf = (f: Fixture, node: string) => meshSent(f)[node] ?? []

test('the exact table: Service fields, endpoints with node-local ports and conditions, nodes', () =>
  withFixture('mesh-table', async (f) => {
    await connect(f, 'pi-1')
    await connect(f, 'pi-2')
    f.bus.take()
    const svc = web(
      {
        type: 'NodePort',
        sessionAffinity: 'ClientIP',
        ports: [
          { name: 'http', port: 80, targetPort: 'http', nodePort: 30080 },
          { name: 'admin', port: 9000, targetPort: 9090, nodePort: 30090 },
        ],
      },
      { 'shoal.dev/load-balancer': 'round-robin', 'shoal.dev/timeout': '2.5s' },
    )
    const stored = await f.objects.create(SERVICES, svc)
    await f.objects.create(
      SLICES,
      slice(
        'web-abcde',
        [
          endpoint('web-1', 'pi-1', { ready: true, serving: true, terminating: false }),
          endpoint('web-2', 'pi-2', { ready: false, serving: true, terminating: true }),
          endpoint('web-3', 'pi-2', { ready: false, serving: false, terminating: false }),
          endpoint('web-4', 'pi-2', {}), // no node-local port: not reachable, left out
        ],
        {
          'web-1': { http: 40001, admin: 40002 },
          'web-2': { http: 40003 },
          'web-3': { http: 40005, admin: 40006 },
        },
      ),
    )
    const cluster = await f.objects.create(SERVICES, {
      ...web({ ports: [{ port: 80, targetPort: 8080 }] }),
      metadata: { name: 'plain', namespace: 'default' },
    } as Service)
    await f.objects.create(SLICES, {
      ...slice('plain-x', [endpoint('plain-1', 'pi-1', { ready: true })], {
        'plain-1': { '8080': 40011 },
      }),
      metadata: {
        name: 'plain-x',
        namespace: 'default',
        labels: { 'kubernetes.io/service-name': 'plain' },
        annotations: { 'shoal.dev/ports': JSON.stringify({ 'plain-1': { '8080': 40011 } }) },
      },
      ports: [{ name: '', port: 8080, protocol: 'TCP' }],
    } as EndpointSlice)
    await f.settle()
    // pi-3 comes now: the whole table, as the others hold it
    await connect(f, 'pi-3')
    const toPi3 = meshOf(f, 'pi-3')
    const whole = toPi3[0]
    assert.is(whole.type, 'mesh')
    const byName = Object.fromEntries(whole.services.map((s: { name: string }) => [s.name, s]))
    assert.equal(byName.web, {
      namespace: 'default',
      name: 'web',
      resourceVersion: stored.metadata.resourceVersion,
      type: 'NodePort',
      exposed: true,
      ports: [
        { name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 },
        { name: 'admin', port: 9000, protocol: 'TCP', nodePort: 30090 },
      ],
      sessionAffinity: 'ClientIP',
      sessionAffinityTimeoutSeconds: 10800,
      loadBalancer: 'round-robin',
      timeoutMs: 2500,
      endpoints: [
        {
          ...{ uid: 'uid-web-1', pod: 'default/web-1', node: 'pi-1' },
          ...{ ports: { http: 40001, admin: 40002 }, ready: true, serving: true },
          terminating: false,
        },
        {
          ...{ uid: 'uid-web-2', pod: 'default/web-2', node: 'pi-2', ports: { http: 40003 } },
          ...{ ready: false, serving: true, terminating: true },
        },
        {
          ...{ uid: 'uid-web-3', pod: 'default/web-3', node: 'pi-2' },
          ...{ ports: { http: 40005, admin: 40006 }, ready: false, serving: false },
          terminating: false,
        },
      ],
    })
    assert.equal(byName.plain, {
      namespace: 'default',
      name: 'plain',
      resourceVersion: cluster.metadata.resourceVersion,
      type: 'ClusterIP',
      exposed: false,
      ports: [{ name: '', port: 80, protocol: 'TCP' }],
      sessionAffinity: 'None',
      loadBalancer: 'least-request',
      endpoints: [
        {
          ...{ uid: 'uid-plain-1', pod: 'default/plain-1', node: 'pi-1', ports: { '': 40011 } },
          ...{ ready: true, serving: true, terminating: false },
        },
      ],
    })
    // its own Node follows (hello, then Ready) as changes on that table
    let table = whole as MeshTable
    for (const m of toPi3.slice(1)) {
      assert.equal([m.type, m.base], ['mesh-change', table.revision])
      table = withMeshChange(table, m as MeshChange)
    }
    assert.equal(table.services, whole.services)
    assert.equal(table.nodes, [
      { name: 'pi-1', address: '10.0.0.1', meshPort: 10443, online: true },
      { name: 'pi-2', address: '10.0.0.2', meshPort: 10443, online: true },
      { name: 'pi-3', address: '10.0.0.3', meshPort: 10443, online: true },
    ])
    assert.is((await f.node('pi-1'))!.metadata.annotations!['shoal.dev/mesh-port'], '10443')
  }))

test('changes go as differences from the table each node holds, the same to all; a Last Will shows the node offline', () =>
  withFixture('mesh-change', async (f) => {
    await connect(f, 'pi-1')
    await connect(f, 'pi-2')
    const first = meshOf(f, 'pi-1').at(-1)!
    f.bus.take()
    await f.objects.create(SERVICES, web())
    await f.settle()
    const sent = meshSent(f)
    const [a] = sent['pi-1']
    const [b] = sent['pi-2']
    assert.equal(a, b, 'the same change to both')
    assert.is(a.type, 'mesh-change')
    assert.is(a.base, first.revision)
    assert.equal(
      [a.services.map((s: { name: string }) => s.name), a.removedServices, a.nodes],
      [['web'], [], []],
    )
    // pi-2's connection is lost: every table shows it offline, at once
    f.bus.deliver('pi-2', 'online', '0')
    await f.settle()
    const afterWill = meshSent(f)
    const [gone] = afterWill['pi-1']
    assert.equal(
      [gone.type, gone.base, gone.services, gone.nodes],
      [
        'mesh-change',
        a.revision,
        [],
        [{ name: 'pi-2', address: '10.0.0.2', meshPort: 10443, online: false }],
      ],
    )
    assert.is(afterWill['pi-2'], undefined, 'nothing to a node offline')
    // a node that asks for the whole table gets it
    f.bus.deliver('pi-1', 'mesh-applied', { type: 'mesh-applied', revision: 0, resync: true })
    await f.settle()
    const [again] = meshOf(f, 'pi-1')
    assert.equal([again.type, again.revision], ['mesh', gone.revision])
    // garbage on the leaf is dropped with a log line, never a crash
    f.bus.deliver('pi-1', 'mesh-applied', { type: 'mesh-applied', revision: 'x' })
    f.bus.deliver('pi-1', 'mesh-applied', new Uint8Array([0xff, 0x00]))
    await f.settle()
    assert.ok(
      f.log.lines.some(
        (l) =>
          l.msg === 'malformed message dropped' &&
          /mesh-applied: field "revision"/.test(String(l.fields?.why)),
      ),
    )
    // pi-2 back with the table it held: the whole table, since it missed a change
    f.bus.deliver('pi-2', 'online', '1')
    await connect(f, 'pi-2', a.revision)
    const back = meshOf(f, 'pi-2')
    assert.equal(back[0].type, 'mesh', 'whole: it missed a change')
  }))

test('unanswered tables are sent again; a node holding the current table is sent nothing; a restart misses nothing', () =>
  withFixture('mesh-restart', async (f) => {
    await connect(f, 'pi-1')
    const t1 = meshOf(f, 'pi-1').at(-1)!
    f.clock.advance(5_000)
    await f.settle()
    const resent = meshOf(f, 'pi-1')
    assert.ok(resent.length >= 1 && resent.at(-1)!.type === 'mesh', 'sent again, whole')
    const rev = resent.at(-1)!.revision
    f.bus.deliver('pi-1', 'mesh-applied', { type: 'mesh-applied', revision: rev })
    await f.settle()
    f.clock.advance(600_000)
    await f.settle()
    assert.equal(meshOf(f, 'pi-1'), [], 'applied: no more')
    assert.ok(rev >= t1.revision)
    // the plane restarts; a Service is created while it is away
    await f.channel.close()
    await f.objects.create(SERVICES, web())
    await f.restart()
    f.bus.take()
    await connect(f, 'pi-1', rev)
    const [whole] = meshOf(f, 'pi-1')
    assert.equal(
      [whole.type, whole.services.map((s: { name: string }) => s.name)],
      ['mesh', ['web']],
    )
    assert.ok(whole.revision > rev)
    f.bus.deliver('pi-1', 'mesh-applied', { type: 'mesh-applied', revision: whole.revision })
    await f.settle()
    // the same hello again (a reconnect): it holds the current table, nothing is sent
    f.bus.take()
    f.bus.deliver('pi-1', 'hello', helloOf('pi-1', whole.revision))
    await f.settle()
    assert.equal(meshOf(f, 'pi-1'), [])
  }))

test.run()
