// A component calls another Service through the node's mesh: the runtime's service proxy sends
// its outgoing wasi:http request for `http://<svc>.<ns>/…` to the mesh's local listener, Host
// kept; an instance without network reaches Services and nothing else; with network, other hosts
// go out directly; a bare `<svc>` names a Service in the caller's own namespace. Real runtime, the
// `caller` image, a real mesh and plain node:http backends.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createMesh } from '../../src/mesh/index.ts'
import { backend, endpoint, service, table } from '../../src/mesh/mesh-fixture.ts'
import { createRuntime, type ServiceProxy } from '../../src/wasm-runtime/index.ts'
import { fixture } from './images.ts'

const f = fixture()
const b = await backend('backend')
const shop = await backend('shop-backend')
const mesh = createMesh({ nodeName: 'n1', local: { host: '127.0.0.1', port: 0 } })
const ports = await mesh.start()
await mesh.setTable(
  table([
    service('backend', [endpoint('b1', 'n1', b.port)]),
    service('backend', [endpoint('s1', 'n1', shop.port, { pod: 'shop/s1' })], {
      namespace: 'shop',
    }),
  ]),
)
const proxy: ServiceProxy = { host: '127.0.0.1', port: ports.local!, namespaces: ['default'] }
const runtime = createRuntime({ cacheDir: f.cacheDir, logDir: f.logDir, serviceProxy: proxy })
await runtime.start(f.spec('caller', 'caller', 'http'))
await runtime.start(f.spec('caller-net', 'caller', 'http', { network: true }))
await runtime.start(f.spec('caller-shop', 'caller', 'http', { namespace: 'shop' }))

interface Called {
  status: number
  pod: string | null
  body: string
}

/** GET /call?url=<url> on instance `id`: the HTTP status and the JSON it answers */
async function call(id: string, url: string): Promise<[number, Called & { error?: string }]> {
  const r = await fetch(`${runtime.url(id)!}/call?url=${encodeURIComponent(url)}`)
  return [r.status, (await r.json()) as Called & { error?: string }]
}

test('a component reaches a Service by <svc>.<ns> through the mesh, Host kept', async () => {
  const [status, called] = await call('caller', 'http://backend.default/hello?x=1')
  assert.is(status, 200)
  assert.equal(called, { status: 200, pod: 'default/b1', body: 'backend GET /hello?x=1' })
  assert.is(b.lastHeaders?.host, 'backend.default')
  assert.ok(b.lastHeaders?.via, 'the mesh adds via')
})

test('every cluster form of the name goes to the mesh: <svc>, .svc, .svc.cluster.local:port', async () => {
  const hosts = ['backend', 'backend.default.svc', 'backend.default.svc.cluster.local:80']
  for (const host of hosts) {
    const [status, called] = await call('caller', `http://${host}/p`)
    assert.equal([status, called.pod, called.body], [200, 'default/b1', 'backend GET /p'], host)
    assert.is(b.lastHeaders?.host, host)
  }
})

test('without network: anything but a Service is denied (loopback, an unknown namespace)', async () => {
  const before = b.hits.length
  for (const url of [`http://127.0.0.1:${b.port}/direct`, 'http://backend.elsewhere/x']) {
    const [status, answer] = await call('caller', url)
    assert.is(status, 502, url)
    assert.is(answer.error, '{"tag":"HTTP-request-denied"}', url)
  }
  assert.is(b.hits.length, before)
})

test('with network: other hosts go out directly, Services still through the mesh', async () => {
  const [status, called] = await call('caller-net', `http://127.0.0.1:${b.port}/direct`)
  assert.equal([status, called], [200, { status: 200, pod: null, body: 'backend GET /direct' }])
  assert.is(b.lastHeaders?.host, `127.0.0.1:${b.port}`)
  assert.is(b.lastHeaders?.via, undefined)
  const [, viaMesh] = await call('caller-net', 'http://backend.default/m')
  assert.is(viaMesh.pod, 'default/b1')
})

test('setServiceProxy: a new namespace list and port apply to the next request', async () => {
  runtime.setServiceProxy({ ...proxy, namespaces: [] })
  const [denied] = await call('caller', 'http://backend.default/x')
  assert.is(denied, 502)
  runtime.setServiceProxy(undefined)
  const [none] = await call('caller', 'http://backend/x')
  assert.is(none, 502)
  runtime.setServiceProxy(proxy)
  const [again, called] = await call('caller', 'http://backend.default/x')
  assert.equal([again, called.pod], [200, 'default/b1'])
})

test("a bare <svc> is the caller's namespace's Service (Kubernetes' DNS search path)", async () => {
  const [status, called] = await call('caller-shop', 'http://backend/p')
  assert.equal([status, called.pod, called.body], [200, 'shop/s1', 'shop-backend GET /p'])
  assert.is(shop.lastHeaders?.host, 'backend.shop.svc')
  const [, port] = await call('caller-shop', 'http://backend:80/q')
  assert.is(port.pod, 'shop/s1')
  assert.is(shop.lastHeaders?.host, 'backend.shop.svc:80')
  const [, other] = await call('caller-shop', 'http://backend.default/r')
  assert.is(other.pod, 'default/b1', 'a qualified name is kept')
})

test.after(async () => {
  await runtime.close()
  await mesh.stop()
  await b.close()
  await shop.close()
  f.cleanup()
})

test.run()
