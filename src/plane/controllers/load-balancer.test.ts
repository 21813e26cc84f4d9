import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  INGRESS_NODE_LABEL,
  resourceByKind,
  type Ingress,
  type Node,
  type Service,
} from '../../api/index.ts'
import { fixture } from './controller-fixture.ts'
import { loadBalancerController } from './load-balancer.ts'

const SERVICES = resourceByKind('Service')!
const INGRESSES = resourceByKind('Ingress')!
const NODES = resourceByKind('Node')!

const service = (name: string, type: Service['spec']['type']): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec: { type, selector: { app: name }, ports: [{ port: 80 }] },
})

const ingress: Ingress = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'shop', namespace: 'default' },
  spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } } },
}

function node(name: string, ip: string, o: { ready?: boolean; ingress?: boolean } = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: o.ingress ? { [INGRESS_NODE_LABEL]: '' } : {} },
    spec: {},
    status: {
      addresses: [{ type: 'InternalIP', address: ip }],
      conditions: [{ type: 'Ready', status: o.ready === false ? 'Unknown' : 'True' }],
    },
  }
}

async function setup() {
  const f = fixture()
  const c = loadBalancerController(f.ctx)
  f.fake.seed(SERVICES, service('web', 'LoadBalancer'), service('db', 'ClusterIP'))
  f.fake.seed(INGRESSES, ingress)
  await f.ctx.informers.start()
  /** every key queued, reconciled once */
  const drain = async () => {
    const keys = new Set<string>()
    while (c.queue.length) {
      const k = await c.queue.get()
      c.queue.done(k!)
      keys.add(k!)
    }
    for (const k of [...keys].sort()) await c.reconcile(k)
  }
  const lb = (kind: typeof SERVICES, key: string) =>
    (f.fake.get(kind, key) as Service).status?.loadBalancer
  return { ...f, c, drain, lb }
}

test('no node labelled: every Ready node; a labelled one takes over; kept current as nodes change', async () => {
  const f = await setup()
  f.fake.seed(NODES, node('pi-2', '10.0.0.2'), node('pi-1', '10.0.0.1'))
  f.fake.seed(NODES, node('pi-3', '10.0.0.3', { ready: false }))
  await f.drain()
  assert.equal(f.writes(), ['update Ingress default/shop', 'update Service default/web'])
  assert.equal(f.lb(SERVICES, 'default/web'), { ingress: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }] })
  assert.equal(f.lb(INGRESSES, 'default/shop'), {
    ingress: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }],
  })
  assert.is(f.lb(SERVICES, 'default/db'), undefined)
  await f.c.reconcile('svc:default/web')
  await f.c.reconcile('svc:default/db')
  assert.equal(f.writes(), [], 'unchanged: no write')

  f.fake.seed(NODES, node('pi-3', '10.0.0.3', { ingress: true }))
  await f.drain()
  assert.equal(f.writes(), ['update Ingress default/shop', 'update Service default/web'])
  assert.equal(f.lb(SERVICES, 'default/web'), { ingress: [{ ip: '10.0.0.3' }] })

  // the only ingress node goes NotReady: no address (pending), then Ready again
  f.fake.seed(NODES, node('pi-3', '10.0.0.3', { ingress: true, ready: false }))
  await f.drain()
  assert.equal(f.writes(), ['update Ingress default/shop', 'update Service default/web'])
  assert.equal(f.lb(SERVICES, 'default/web'), { ingress: [] })
  f.fake.delete(NODES, 'pi-3')
  await f.drain()
  assert.equal(f.writes(), ['update Ingress default/shop', 'update Service default/web'])
  assert.equal(f.lb(INGRESSES, 'default/shop'), {
    ingress: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }],
  })
})

test('a Service that stops being a LoadBalancer loses its addresses; a new one gets them', async () => {
  const f = await setup()
  f.fake.seed(NODES, node('pi-1', '10.0.0.1'))
  await f.drain()
  f.writes()
  const web = f.fake.get(SERVICES, 'default/web') as Service
  f.fake.seed(SERVICES, { ...web, spec: { ...web.spec, type: 'NodePort' } })
  f.fake.seed(SERVICES, service('api', 'LoadBalancer'))
  await f.drain()
  assert.equal(f.writes(), ['update Service default/api', 'update Service default/web'])
  assert.equal(f.lb(SERVICES, 'default/web'), {})
  assert.equal(f.lb(SERVICES, 'default/api'), { ingress: [{ ip: '10.0.0.1' }] })
  // a node's heartbeat (nothing the addresses depend on) writes nothing
  const n = f.fake.get(NODES, 'pi-1') as Node
  f.fake.seed(NODES, { ...n, metadata: { ...n.metadata, annotations: { beat: '2' } } })
  await f.drain()
  assert.equal(f.writes(), [])
})

test.run()
