import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { resourceByKind, type Endpoints, type Pod, type Service } from '../../api/index.ts'
import { endpointsController } from './endpoints.ts'
import { fixture, PODS } from './controller-fixture.ts'

const SERVICES = resourceByKind('Service')!
const ENDPOINTS = resourceByKind('Endpoints')!

const service = (name: string, ports: Service['spec']['ports'], selector = { app: 'web' }) =>
  ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', labels: { tier: 'front' } },
    spec: { selector, ports },
  }) satisfies Service

function pod(name: string, o: { node?: string; ready?: boolean; port?: number } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels: { app: 'web' },
      annotations: { 'shoal.dev/ports': JSON.stringify({ web: o.port ?? 40000 }) },
    },
    spec: {
      nodeName: o.node ?? 'pi-1',
      containers: [
        { name: 'web', image: 'hello:1', ports: [{ name: 'http', containerPort: 8080 }] },
      ],
    },
    status: {
      phase: 'Running',
      podIP: o.node === 'pi-2' ? '10.0.0.2' : '10.0.0.1',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  }
}

const ref = (name: string) => ({
  kind: 'Pod',
  namespace: 'default',
  name,
  uid: `uid-${name}`,
})

async function setup() {
  const f = fixture()
  const c = endpointsController(f.ctx)
  return { ...f, c }
}

test('ready and not-ready pods, a named targetPort, the node-local ports for the mesh', async () => {
  const f = await setup()
  f.fake.seed(SERVICES, service('web', [{ name: 'http', port: 80, targetPort: 'http' }]))
  f.fake.seed(
    PODS,
    pod('b', { node: 'pi-2', port: 40002 }),
    pod('a', { port: 40001 }),
    pod('c', { ready: false, port: 40003 }),
    { ...pod('other'), metadata: { ...pod('other').metadata, labels: { app: 'db' } } },
    { ...pod('nowhere'), status: { phase: 'Pending' } } as Pod, // no address yet
  )
  await f.ctx.informers.start()
  await f.c.reconcile('default/web')
  assert.equal(f.writes(), ['create Endpoints default/web'])
  const ep = f.fake.get(ENDPOINTS, 'default/web') as Endpoints
  assert.equal(ep.metadata.labels, { tier: 'front' })
  assert.equal(ep.subsets, [
    {
      addresses: [
        { ip: '10.0.0.1', nodeName: 'pi-1', targetRef: ref('a') },
        { ip: '10.0.0.2', nodeName: 'pi-2', targetRef: ref('b') },
      ],
      notReadyAddresses: [{ ip: '10.0.0.1', nodeName: 'pi-1', targetRef: ref('c') }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
  ])
  assert.equal(JSON.parse(ep.metadata.annotations!['shoal.dev/ports']), {
    a: { http: 40001 },
    b: { http: 40002 },
    c: { http: 40003 },
  })
  await f.c.reconcile('default/web')
  assert.equal(f.writes(), [], 'unchanged: no write')
})

test('kept current: a pod becomes ready, one goes; a numeric and an unmatched named targetPort', async () => {
  const f = await setup()
  f.fake.seed(
    SERVICES,
    service('web', [
      { name: 'http', port: 80, targetPort: 9090 },
      { name: 'admin', port: 81, targetPort: 'nope' },
    ]),
  )
  f.fake.seed(PODS, pod('a', { ready: false }), pod('b'))
  await f.ctx.informers.start()
  await f.c.reconcile('default/web')
  f.writes()
  f.fake.seed(PODS, pod('a'))
  f.fake.delete(PODS, 'default/b')
  await f.c.reconcile('default/web')
  assert.equal(f.writes(), ['update Endpoints default/web'])
  const ep = f.fake.get(ENDPOINTS, 'default/web') as Endpoints
  assert.equal(ep.subsets, [
    {
      addresses: [{ ip: '10.0.0.1', nodeName: 'pi-1', targetRef: ref('a') }],
      ports: [{ name: 'http', port: 9090, protocol: 'TCP' }],
    },
  ])
  assert.equal(JSON.parse(ep.metadata.annotations!['shoal.dev/ports']), { a: { http: 40000 } })
})

test('the Service deleted: its Endpoints deleted; a Service without a selector: left alone', async () => {
  const f = await setup()
  const bare = { ...service('ext', [{ port: 80 }]), spec: { ports: [{ port: 80 }] } }
  f.fake.seed(SERVICES, service('web', [{ port: 80, targetPort: 8080 }]), bare)
  f.fake.seed(PODS, pod('a'))
  const manual: Endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'ext', namespace: 'default' },
    subsets: [{ addresses: [{ ip: '192.0.2.1' }], ports: [{ port: 80 }] }],
  }
  f.fake.seed(ENDPOINTS, manual)
  await f.ctx.informers.start()
  await f.c.reconcile('default/web')
  await f.c.reconcile('default/ext')
  assert.equal(f.writes(), ['create Endpoints default/web'])
  f.fake.delete(SERVICES, 'default/web')
  await f.c.reconcile('default/web')
  assert.equal(f.writes(), ['delete Endpoints default/web'])
})

test('handlers: a pod change enqueues the Services that select it', async () => {
  const f = await setup()
  f.fake.seed(
    SERVICES,
    service('web', [{ port: 80 }]),
    service('db', [{ port: 5432 }], { app: 'db' }),
  )
  await f.ctx.informers.start()
  while (f.c.queue.length) await f.c.queue.get().then((k) => k && f.c.queue.done(k))
  f.fake.seed(PODS, pod('a'))
  assert.is(f.c.queue.length, 1)
  assert.is(await f.c.queue.get(), 'default/web')
})

test.run()
