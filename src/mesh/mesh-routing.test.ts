// The mesh's listeners on real sockets: Host routing, exposure rules, NodePorts, proxy headers.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createMesh } from './index.ts'
import { backend, deadPort, endpoint, get, service, table, type Backend } from './mesh-fixture.ts'

let web: Backend, api: Backend, shop: Backend

test.before(async () => {
  ;[web, api, shop] = await Promise.all([backend('web'), backend('api'), backend('shop')])
})
test.after(async () => {
  await Promise.all([web, api, shop].map((b) => b.close()))
})

test('Host forms route to their Service; the Host port picks the Service port', async () => {
  const mesh = createMesh({ nodeName: 'n1', local: { port: 0 } })
  const ports = await mesh.start()
  try {
    await mesh.setTable(
      table([
        service('web', [endpoint('w1', 'n1', web.port)]),
        service('web', [endpoint('s1', 'n1', shop.port)], { namespace: 'shop' }),
        service(
          'api',
          [{ ...endpoint('a1', 'n1', 0), ports: { http: web.port, admin: api.port } }],
          {
            ports: [
              { name: 'http', port: 80, protocol: 'TCP' },
              { name: 'admin', port: 9000, protocol: 'TCP' },
            ],
          },
        ),
      ]),
    )
    const at = (host: string) =>
      get(ports.local!, host, { path: '/x' }).then((a) => `${a.status} ${a.body.trim()}`)
    assert.is(await at('web'), '200 web GET /x')
    assert.is(await at('web:80'), '200 web GET /x')
    assert.is(await at('web.default'), '200 web GET /x')
    assert.is(await at('web.shop'), '200 shop GET /x')
    assert.is(await at('web.shop.svc'), '200 shop GET /x')
    assert.is(await at('web.shop.svc.cluster.local:80'), '200 shop GET /x')
    assert.is(await at('api.default.svc.cluster.local'), '200 web GET /x')
    assert.is(await at('api:9000'), '200 api GET /x')
    assert.is(await at('api:1234'), '200 web GET /x')
    assert.is(await at('nope'), '404 mesh: no service default/nope')
    assert.match(
      await at('web.shop.example.com'),
      /^404 mesh: Host "web.shop.example.com" names no Service/,
    )
  } finally {
    await mesh.stop()
  }
})

test('proxy headers: hop-by-hop stripped, x-forwarded-* and via added, body streamed', async () => {
  const mesh = createMesh({ nodeName: 'n1', local: { port: 0 } })
  const ports = await mesh.start()
  try {
    await mesh.setTable(table([service('web', [endpoint('w1', 'n1', web.port)])]))
    const a = await get(ports.local!, 'web', { method: 'POST', body: 'hello', path: '/p?q=1' })
    assert.is(a.status, 200)
    assert.is(a.body, 'web POST /p?q=1 hello')
    assert.is(a.headers.via, '1.1 n1')
    assert.is(a.headers['content-type'], 'text/plain')
    const h = web.lastHeaders!
    assert.is(h['x-forwarded-for'], '127.0.0.1')
    assert.is(h['x-forwarded-proto'], 'http')
    assert.is(h['x-forwarded-host'], 'web')
    assert.is(h.via, '1.1 n1')
    assert.is(h['x-shoal-target-port'], undefined)
  } finally {
    await mesh.stop()
  }
})

test('no ready endpoint → 503 naming the Service; terminating and not-ready ones are skipped', async () => {
  const mesh = createMesh({ nodeName: 'n1', local: { port: 0 } })
  const ports = await mesh.start()
  try {
    await mesh.setTable(
      table([
        service('web', [
          endpoint('w1', 'n1', web.port, { terminating: true, ready: false }),
          endpoint('w2', 'n1', web.port, { ready: false, serving: false }),
        ]),
      ]),
    )
    const a = await get(ports.local!, 'web')
    assert.is(a.status, 503)
    assert.is(a.body, 'mesh: service default/web has no ready endpoint\n')
    assert.equal(mesh.serviceStats(), [
      { namespace: 'default', name: 'web', requests: 1, errors: 1 },
    ])
  } finally {
    await mesh.stop()
  }
})

test('public listener: exposed Services only; NodePort serves its Service on every node', async () => {
  const nodePort = await deadPort()
  const mesh = createMesh({
    nodeName: 'n1',
    local: { port: 0 },
    public: { host: '127.0.0.1', port: 0 },
    nodePortHost: '127.0.0.1',
  })
  const ports = await mesh.start()
  try {
    await mesh.setTable(
      table([
        service('web', [endpoint('w1', 'n2', web.port)]), // ClusterIP
        service('shop', [endpoint('s1', 'n1', shop.port)], {
          type: 'NodePort',
          exposed: true,
          ports: [{ name: '', port: 80, protocol: 'TCP', nodePort }],
        }),
      ]),
    )
    const refused = await get(ports.public!, 'web')
    assert.is(refused.status, 403)
    assert.is(
      refused.body,
      'mesh: service default/web is not exposed outside the fleet (type ClusterIP)\n',
    )
    assert.is((await get(ports.public!, 'shop.default')).body, 'shop GET /')
    assert.is((await get(ports.public!, 'ghost')).status, 404)
    assert.is((await get(nodePort, 'anything.example')).body, 'shop GET /')
    assert.equal(mesh.nodePorts(), new Map([[nodePort, nodePort]]))
    // the Service loses its node port: the listener closes
    await mesh.setTable(
      table([service('shop', [endpoint('s1', 'n1', shop.port)], { exposed: false })]),
    )
    assert.equal(mesh.nodePorts(), new Map())
    await get(nodePort, 'shop').then(
      () => assert.unreachable('node port still open'),
      (e: Error) => assert.match(e.message, /ECONNREFUSED/),
    )
  } finally {
    await mesh.stop()
  }
})

test('an older table revision is ignored', async () => {
  const mesh = createMesh({ nodeName: 'n1', local: { port: 0 } })
  const ports = await mesh.start()
  try {
    const older = table([service('web', [endpoint('w1', 'n1', web.port)])])
    const newer = table([service('web', [endpoint('w1', 'n1', shop.port)])])
    await mesh.setTable(newer)
    await mesh.setTable(older)
    assert.is((await get(ports.local!, 'web')).body, 'shop GET /')
  } finally {
    await mesh.stop()
  }
})

test("dispatchLocal takes local endpoints' requests without a TCP hop", async () => {
  const seen: string[] = []
  const mesh = createMesh({
    nodeName: 'n1',
    local: { port: 0 },
    dispatchLocal: (target, req, res) => {
      if (target.port !== 4242) return false // not ours: over HTTP
      seen.push(`${target.service.name} ${target.endpoint.uid} ${target.port} ${req.url}`)
      res.end('in process')
      return true
    },
  })
  const ports = await mesh.start()
  const b = await backend('over-http')
  try {
    await mesh.setTable(
      table([
        service('web', [endpoint('w1', 'n1', 4242)]),
        service('api', [endpoint('a1', 'n1', b.port)]),
      ]),
    )
    const answer = await get(ports.local!, 'web', { path: '/hi' })
    assert.is(answer.body, 'in process')
    assert.is(answer.headers['x-shoal-pod'], 'default/w1')
    assert.is(answer.headers['x-shoal-node'], 'n1')
    assert.equal(seen, ['web w1 4242 /hi'])
    const declined = await get(ports.local!, 'api', { path: '/x' })
    assert.equal([declined.status, declined.body], [200, 'over-http GET /x'])
    assert.is(declined.headers['x-shoal-pod'], 'default/a1')
    assert.equal(
      mesh.serviceStats().sort((x, y) => x.name.localeCompare(y.name)),
      [
        { namespace: 'default', name: 'api', requests: 1, errors: 0 },
        { namespace: 'default', name: 'web', requests: 1, errors: 0 },
      ],
    )
  } finally {
    await mesh.stop()
    await b.close()
  }
})

test.run()
