import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  resourceByKind,
  type EndpointSlice,
  type Pod,
  type Service,
  type SliceEndpoint,
} from '../../api/index.ts'
import { endpointSliceController, SLICES } from './endpointslice.ts'
import { fixture, PODS } from './controller-fixture.ts'

const SERVICES = resourceByKind('Service')!
const NODES = resourceByKind('Node')!

const service = (name: string, o: Partial<Service['spec']> = {}): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {
    name,
    namespace: 'default',
    uid: `uid-svc-${name}`,
    labels: { tier: 'front' },
    creationTimestamp: '2026-01-01T00:00:00Z',
  },
  spec: {
    selector: { app: 'web' },
    ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    ...o,
  },
})

const node = (name: string, zone?: string) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, ...(zone ? { labels: { 'topology.kubernetes.io/zone': zone } } : {}) },
  spec: {},
})

const IPS: Record<string, string> = { 'pi-1': '10.0.0.1', 'pi-2': '10.0.0.2', 'pi-3': '10.0.0.3' }

function pod(
  name: string,
  o: { node?: string; ready?: boolean; port?: number; deleting?: boolean } = {},
): Pod {
  const at = o.node ?? 'pi-1'
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels: { app: 'web' },
      annotations: { 'shoal.dev/ports': JSON.stringify({ web: o.port ?? 40000 }) },
      ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:01:00Z' } : {}),
    },
    spec: {
      nodeName: at,
      containers: [
        { name: 'web', image: 'hello:1', ports: [{ name: 'http', containerPort: 8080 }] },
      ],
    },
    status: {
      phase: 'Running',
      podIP: IPS[at],
      podIPs: [{ ip: IPS[at] }],
      conditions: [
        {
          type: 'Ready',
          status: o.ready === false ? 'False' : 'True',
          lastTransitionTime: '2026-01-01T00:00:30Z',
        },
      ],
    },
  }
}

const endpoint = (
  name: string,
  o: { node?: string; ready?: boolean; serving?: boolean; terminating?: boolean } = {},
): SliceEndpoint => ({
  addresses: [IPS[o.node ?? 'pi-1']],
  conditions: {
    ready: o.ready ?? true,
    serving: o.serving ?? o.ready ?? true,
    terminating: o.terminating ?? false,
  },
  targetRef: { kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` },
  nodeName: o.node ?? 'pi-1',
  ...(o.node === 'pi-2' ? { zone: 'hall-b' } : {}),
})

async function setup(maxEndpointsPerSlice?: number) {
  const f = fixture()
  const c = endpointSliceController(f.ctx, { endpointSlice: { maxEndpointsPerSlice } })
  f.fake.seed(NODES, node('pi-1'), node('pi-2', 'hall-b'), node('pi-3'))
  /** the writes since the last call, as "verb Kind key"; a created name's suffix as ***** */
  const writes = () =>
    f.fake
      .take()
      .filter((w) => w.kind !== 'Event')
      .map((w) => {
        const key = w.verb === 'create' ? w.key.replace(/-[b-z2-9]{5}$/, '-*****') : w.key
        return `${w.verb} ${w.kind} ${key}`
      })
  const slices = () =>
    (f.fake.all(SLICES) as EndpointSlice[]).sort(
      (a, b) =>
        b.endpoints.length - a.endpoints.length || (a.metadata.name! < b.metadata.name! ? -1 : 1),
    )
  const run = () => c.reconcile('default/web')
  return { ...f, c, writes, slices, run }
}

test('3 ready pods: one slice, labelled, owned by the Service, ports resolved, node-local ports', async () => {
  const f = await setup()
  f.fake.seed(SERVICES, service('web'))
  f.fake.seed(
    PODS,
    pod('c', { node: 'pi-2', port: 40003 }),
    pod('b', { port: 40002 }),
    pod('a', { port: 40001 }),
    { ...pod('other'), metadata: { ...pod('other').metadata, labels: { app: 'db' } } },
    { ...pod('nowhere'), status: { phase: 'Pending' } }, // no address yet
    { ...pod('done'), status: { ...pod('done').status, phase: 'Succeeded' } },
  )
  await f.ctx.informers.start()
  await f.run()
  assert.equal(f.writes(), ['create EndpointSlice default/web-*****'])
  const [s] = f.slices()
  assert.match(s.metadata.name!, /^web-[b-z2-9]{5}$/)
  assert.equal(s.metadata.generateName, 'web-')
  assert.equal(s.metadata.labels, {
    tier: 'front',
    'kubernetes.io/service-name': 'web',
    'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
  })
  assert.equal(s.metadata.ownerReferences, [
    {
      apiVersion: 'v1',
      kind: 'Service',
      name: 'web',
      uid: 'uid-svc-web',
      controller: true,
      blockOwnerDeletion: true,
    },
  ])
  assert.is(s.addressType, 'IPv4')
  assert.equal(s.ports, [{ name: 'http', protocol: 'TCP', port: 8080 }])
  assert.equal(s.endpoints, [endpoint('a'), endpoint('b'), endpoint('c', { node: 'pi-2' })])
  assert.equal(s.metadata.annotations, {
    'shoal.dev/ports': '{"a":{"http":40001},"b":{"http":40002},"c":{"http":40003}}',
    'endpoints.kubernetes.io/last-change-trigger-time': '2026-01-01T00:00:00Z',
  })
  await f.run()
  assert.equal(f.writes(), [], 'unchanged: no write')
})

test('conditions: not ready; terminating but still serving; publishNotReadyAddresses', async () => {
  const f = await setup()
  f.fake.seed(SERVICES, service('web', { ports: [{ port: 80, targetPort: 9090 }] }))
  f.fake.seed(PODS, pod('a'), pod('b', { ready: false }), pod('c', { deleting: true }))
  await f.ctx.informers.start()
  await f.run()
  const [s] = f.slices()
  assert.equal(s.ports, [{ name: '', protocol: 'TCP', port: 9090 }])
  assert.equal(s.endpoints, [
    endpoint('a'),
    endpoint('b', { ready: false }),
    endpoint('c', { ready: false, serving: true, terminating: true }),
  ])
  f.writes()
  f.fake.seed(SERVICES, service('web', { publishNotReadyAddresses: true }))
  await f.run()
  assert.equal(f.writes(), [`update EndpointSlice default/${s.metadata.name}`], 'in place')
  assert.equal(
    f.slices()[0].endpoints.map((e) => e.conditions),
    [
      { ready: true, serving: true, terminating: false },
      { ready: true, serving: false, terminating: false },
      { ready: true, serving: true, terminating: true },
    ],
  )
})

test('250 pods at most 100 a slice: 3 slices; a pod gone: one slice updated in place; new pods fill it', async () => {
  const f = await setup()
  f.fake.seed(SERVICES, service('web'))
  const names = Array.from({ length: 250 }, (_, i) => `p${String(i).padStart(3, '0')}`)
  f.fake.seed(PODS, ...names.map((n) => pod(n)))
  await f.ctx.informers.start()
  await f.run()
  assert.equal(f.writes(), Array(3).fill('create EndpointSlice default/web-*****'))
  assert.equal(
    f.slices().map((s) => s.endpoints.length),
    [100, 100, 50],
  )
  const all = f.slices().flatMap((s) => s.endpoints.map((e) => e.targetRef!.name))
  assert.equal(all.sort(), names)
  const holder = f.slices().find((s) => s.endpoints.some((e) => e.targetRef!.name === 'p120'))!
  f.fake.delete(PODS, 'default/p120')
  await f.run()
  assert.equal(f.writes(), [`update EndpointSlice default/${holder.metadata.name}`])
  assert.is(f.fake.get(SLICES, `default/${holder.metadata.name}`)!.metadata.generation, 2)
  assert.equal(
    f.slices().map((s) => s.endpoints.length),
    [100, 99, 50],
  )
  // both new pods go where they fit with the least room left among the slices not otherwise
  // written in this sync (getSliceToFill): the 50, not the 99 already written before
  const half = f.slices()[2].metadata.name
  f.fake.seed(PODS, pod('q1'), pod('q2'))
  await f.run()
  assert.equal(f.writes(), [`update EndpointSlice default/${half}`])
  assert.equal(
    f.slices().map((s) => s.endpoints.length),
    [100, 99, 52],
  )
})

test('maxEndpointsPerSlice is configurable; pods gone: the emptied slice goes, the other stays', async () => {
  const f = await setup(2)
  f.fake.seed(SERVICES, service('web'))
  f.fake.seed(PODS, pod('a'), pod('b'), pod('c'))
  await f.ctx.informers.start()
  await f.run()
  assert.equal(
    f.slices().map((s) => s.endpoints.map((e) => e.targetRef!.name)),
    [['a', 'b'], ['c']],
  )
  const small = f.slices()[1].metadata.name
  f.writes()
  f.fake.delete(PODS, 'default/c')
  await f.run()
  assert.equal(f.writes(), [`delete EndpointSlice default/${small}`])
})

test('no pods: one empty placeholder slice, kept; the first pod goes into it', async () => {
  const f = await setup()
  f.fake.seed(SERVICES, service('web'))
  await f.ctx.informers.start()
  await f.run()
  assert.equal(f.writes(), ['create EndpointSlice default/web-*****'])
  const [placeholder] = f.slices()
  assert.equal([placeholder.endpoints, placeholder.ports], [[], []])
  await f.run()
  assert.equal(f.writes(), [], 'the placeholder stays as it is')
  f.fake.seed(PODS, pod('a'))
  await f.run()
  assert.equal(f.writes(), [`update EndpointSlice default/${placeholder.metadata.name}`])
  assert.equal(f.slices()[0].endpoints, [endpoint('a')])
  assert.equal(f.slices()[0].ports, [{ name: 'http', protocol: 'TCP', port: 8080 }])
})

test('pods on an IPv6 node: an IPv6 slice; the IPv4 placeholder goes (an address type is not changed)', async () => {
  const f = await setup()
  f.fake.seed(SERVICES, service('web'))
  await f.ctx.informers.start()
  await f.run()
  const [placeholder] = f.slices()
  f.writes()
  const v6 = pod('a')
  v6.status = { ...v6.status, podIP: 'fd00::7', podIPs: [{ ip: 'fd00::7' }] }
  f.fake.seed(PODS, v6)
  await f.run()
  assert.equal(f.writes(), [
    'create EndpointSlice default/web-*****',
    `delete EndpointSlice default/${placeholder.metadata.name}`,
  ])
  const [s] = f.slices()
  assert.is(s.addressType, 'IPv6')
  assert.equal(s.endpoints, [{ ...endpoint('a'), addresses: ['fd00::7'] }])
})

test('the Service deleted: its slices deleted; without a selector: slices left alone', async () => {
  const f = await setup()
  f.fake.seed(SERVICES, service('web'), service('ext', { selector: undefined }))
  f.fake.seed(PODS, pod('a'))
  const manual: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: 'ext-1',
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': 'ext' },
    },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['192.0.2.1'] }],
    ports: [{ name: '', protocol: 'TCP', port: 80 }],
  }
  f.fake.seed(SLICES, manual)
  await f.ctx.informers.start()
  await f.run()
  await f.c.reconcile('default/ext')
  assert.equal(f.writes(), ['create EndpointSlice default/web-*****'])
  const name = f.slices().find((s) => s.metadata.name !== 'ext-1')!.metadata.name
  f.fake.delete(SERVICES, 'default/web')
  await f.run()
  assert.equal(f.writes(), [`delete EndpointSlice default/${name}`])
  assert.equal(
    f.slices().map((s) => s.metadata.name),
    ['ext-1'],
  )
})

test('a slice of an older Service of the same name is replaced; a pod on an unknown node is left out and retried', async () => {
  const f = await setup()
  f.fake.seed(SERVICES, service('web'))
  f.fake.seed(PODS, pod('a'), { ...pod('lost'), spec: { ...pod('lost').spec, nodeName: 'pi-9' } })
  const old: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: 'web-old01',
      namespace: 'default',
      labels: {
        'kubernetes.io/service-name': 'web',
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
      },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'uid-before' }],
    },
    addressType: 'IPv4',
    endpoints: [],
  }
  f.fake.seed(SLICES, old)
  await f.ctx.informers.start()
  try {
    await f.run()
    assert.unreachable('a pod on an unknown node makes the reconcile retry')
  } catch (err) {
    assert.match((err as Error).message, /pods lost of Service default\/web left out/)
  }
  assert.equal(f.writes(), [
    'create EndpointSlice default/web-*****',
    'delete EndpointSlice default/web-old01',
  ])
  assert.equal(f.slices()[0].endpoints, [endpoint('a')])
})

test('a pod that became Ready: its transition is the trigger time; a new node-local port is written too', async () => {
  const f = await setup()
  f.fake.seed(SERVICES, service('web'))
  f.fake.seed(PODS, pod('a'), pod('b', { ready: false }))
  await f.ctx.informers.start()
  await f.run()
  f.writes()
  const b = pod('b')
  b.status!.conditions![0].lastTransitionTime = '2026-01-01T00:02:00Z'
  f.fake.seed(PODS, b)
  await f.run()
  const [s] = f.slices()
  assert.equal(f.writes(), [`update EndpointSlice default/${s.metadata.name}`])
  assert.is(
    s.metadata.annotations!['endpoints.kubernetes.io/last-change-trigger-time'],
    '2026-01-01T00:02:00Z',
  )
  assert.is(s.metadata.generation, 2)
  f.fake.seed(PODS, pod('a', { port: 41000 }))
  await f.run()
  assert.equal(f.writes(), [`update EndpointSlice default/${s.metadata.name}`])
  assert.is(f.slices()[0].metadata.generation, 2, 'annotations alone: the same generation')
  assert.equal(f.slices()[0].metadata.annotations, {
    'shoal.dev/ports': '{"a":{"http":41000},"b":{"http":40000}}',
  })
})

test('handlers: a pod change enqueues the Services selecting it; a managed slice its Service', async () => {
  const f = await setup()
  f.fake.seed(SERVICES, service('web'), service('db', { selector: { app: 'db' } }))
  await f.ctx.informers.start()
  while (f.c.queue.length) await f.c.queue.get().then((k) => k && f.c.queue.done(k))
  f.fake.seed(PODS, pod('a'))
  assert.is(f.c.queue.length, 1)
  assert.is(await f.c.queue.get(), 'default/web')
  f.c.queue.done('default/web')
  await f.run()
  f.fake.delete(SLICES, f.slices()[0].metadata.namespace + '/' + f.slices()[0].metadata.name)
  assert.is(await f.c.queue.get(), 'default/web')
})

test.run()
