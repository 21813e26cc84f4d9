// Ingress routing on real sockets: the public listener routes by the table's Ingress rules to
// real backends (host and path precedence, named and numbered Service ports), an Ingress-only
// ClusterIP Service is refused by its own name, no rule is a 404 naming why, a rule to a missing
// Service a 503; the TLS ingress listener picks the certificate by SNI.
import { request } from 'node:https'
import type { TLSSocket } from 'node:tls'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { MeshIngressRoute } from '../api/index.ts'
import { createMesh } from './index.ts'
import { backend, endpoint, fleetCa, get, service, table, type Backend } from './mesh-fixture.ts'

let web: Backend, api: Backend, shop: Backend

test.before(async () => {
  ;[web, api, shop] = await Promise.all([backend('web'), backend('api'), backend('shop')])
})
test.after(async () => {
  await Promise.all([web, api, shop].map((b) => b.close()))
})

const route = (
  host: string,
  pathType: 'Exact' | 'Prefix',
  path: string,
  svc: string,
  port: number | string = 80,
  o: Partial<MeshIngressRoute> = {},
): MeshIngressRoute => ({
  ...{ ingress: 'default/site', host, pathType, path, namespace: 'default', service: svc, port },
  ...o,
})

const services = () => [
  service('web', [endpoint('w1', 'n1', web.port)]),
  service('api', [{ ...endpoint('a1', 'n1', 0), ports: { http: api.port, admin: shop.port } }], {
    ports: [
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'admin', port: 9000, protocol: 'TCP' },
    ],
  }),
  service('shop', [endpoint('s1', 'n1', shop.port)], { namespace: 'shop' }),
]

const ingress = [
  route('shop.example.com', 'Prefix', '/', 'web'),
  route('shop.example.com', 'Prefix', '/api', 'api', 'http'),
  route('shop.example.com', 'Exact', '/api/admin', 'api', 9000),
  route('*.example.com', 'Prefix', '/', 'shop', 80, { namespace: 'shop', ingress: 'shop/wild' }),
  route('gone.example.com', 'Prefix', '/', 'ghost'),
  route('bad-port.example.com', 'Prefix', '/', 'web', 'nope'),
  route('', 'Prefix', '/anyhost', 'web'),
]

test('public listener: Ingress rules by host and path to real backends; Services by name only when exposed', async () => {
  const mesh = createMesh({ nodeName: 'n1', public: { host: '127.0.0.1', port: 0 } })
  const ports = await mesh.start()
  try {
    await mesh.setTable({ ...table(services()), ingress })
    const at = (host: string, path: string) =>
      get(ports.public!, host, { path }).then((a) => `${a.status} ${a.body.trim()}`)
    assert.is(await at('shop.example.com', '/'), '200 web GET /')
    assert.is(await at('Shop.Example.com:8080', '/cart?x=1'), '200 web GET /cart?x=1')
    assert.is(await at('shop.example.com', '/api/items'), '200 api GET /api/items')
    assert.is(await at('shop.example.com', '/api/admin'), '200 shop GET /api/admin') // port 9000
    assert.is(await at('shop.example.com', '/api/admin/x'), '200 api GET /api/admin/x')
    assert.is(await at('shop.example.com', '/apis'), '200 web GET /apis')
    assert.is(await at('blog.example.com', '/'), '200 shop GET /')
    assert.is(await at('other.org', '/anyhost/1'), '200 web GET /anyhost/1')
    assert.is(
      await at('other.org', '/else'),
      '404 mesh: no Ingress rule for host "other.org" and path "/else", and no exposed Service of that name',
    )
    assert.is(
      await at('gone.example.com', '/'),
      '503 mesh: Ingress default/site: no service default/ghost',
    )
    assert.is(
      await at('bad-port.example.com', '/'),
      '503 mesh: Ingress default/site: service default/web has no port nope',
    )
    // web is a ClusterIP Service an Ingress names: not by its own name from outside
    assert.is(
      await at('web', '/'),
      '403 mesh: service default/web is not exposed outside the fleet (type ClusterIP)',
    )
    assert.is(web.lastHeaders?.['x-forwarded-proto'], 'http')
    assert.is(web.lastHeaders?.['x-forwarded-host'], 'other.org')
  } finally {
    await mesh.stop()
  }
})

test('a table without Ingress rules: the public listener as before (404 naming the Host)', async () => {
  const mesh = createMesh({ nodeName: 'n1', public: { host: '127.0.0.1', port: 0 } })
  const ports = await mesh.start()
  try {
    await mesh.setTable({ ...table(services()), ingress })
    await mesh.setTable(table(services()))
    const a = await get(ports.public!, 'shop.example.com')
    assert.is(a.status, 404)
    assert.match(a.body, /^mesh: no Ingress rule for host "shop.example.com" and path "\/"/)
  } finally {
    await mesh.stop()
  }
})

/** a GET over TLS to 127.0.0.1:port naming `servername` by SNI; the peer certificate's SAN */
function tlsGet(port: number, servername: string, ca: string, path = '/') {
  return new Promise<{ status: number; body: string; san: string }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        servername,
        ca,
        headers: { host: servername },
        agent: false,
      },
      (res) => {
        const san = (res.socket as TLSSocket).getPeerCertificate().subjectaltname ?? ''
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString(), san }),
        )
      },
    )
    req.on('error', reject)
    req.end()
  })
}

test('TLS ingress listener: SNI picks the certificate (exact, then wildcard); an unknown name is refused', async () => {
  const ca = await fleetCa('site-ca')
  const exact = await ca.issue('shop', { org: 'shop', dns: 'shop.example.com' })
  const wild = await ca.issue('wild', { org: 'shop', dns: '*.example.com' })
  const logs: string[] = []
  const mesh = createMesh({
    nodeName: 'n1',
    ingressTls: { host: '127.0.0.1', port: 0 },
    log: (l) => logs.push(l),
  })
  const ports = await mesh.start()
  try {
    await mesh.setTable({
      ...table(services()),
      ingress,
      ingressTls: [
        { secret: 'shop/wild-tls', hosts: ['*.example.com'] },
        { secret: 'default/shop-tls', hosts: ['shop.example.com'] },
      ],
    })
    mesh.setIngressCertificates([
      { secret: 'default/shop-tls', ...exact },
      { secret: 'shop/wild-tls', ...wild },
      { secret: 'default/broken', cert: 'not a cert', key: 'no key' },
    ])
    assert.match(logs.join('\n'), /the certificate of Secret default\/broken is unusable/)
    const a = await tlsGet(ports.ingressTls!, 'shop.example.com', ca.ca, '/api/x')
    assert.equal([a.status, a.body, a.san], [200, 'api GET /api/x', 'DNS:shop.example.com'])
    assert.is(api.lastHeaders?.['x-forwarded-proto'], 'https')
    const b = await tlsGet(ports.ingressTls!, 'blog.example.com', ca.ca)
    assert.equal([b.status, b.body, b.san], [200, 'shop GET /', 'DNS:*.example.com'])
    await tlsGet(ports.ingressTls!, 'other.org', ca.ca).then(
      () => assert.unreachable('a name no Secret serves was answered'),
      (e: Error) =>
        assert.match(e.message, /before secure TLS connection was established/, e.message),
    )
    // the certificates withdrawn (the node lost its ingress label): refused too
    mesh.setIngressCertificates([])
    await tlsGet(ports.ingressTls!, 'shop.example.com', ca.ca).then(
      () => assert.unreachable('served without a certificate'),
      (e: Error) =>
        assert.match(e.message, /before secure TLS connection was established/, e.message),
    )
  } finally {
    await mesh.stop()
  }
})

test.run()
