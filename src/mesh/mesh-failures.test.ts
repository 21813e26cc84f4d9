// Failure handling on real sockets: outlier ejection, one retry of idempotent requests, timeouts.
import { request } from 'node:http'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createMesh, type Mesh } from './index.ts'
import { backend, deadPort, endpoint, get, service, table, type Backend } from './mesh-fixture.ts'

let b: Backend[], mesh: Mesh, port: number
const log: string[] = []

test.before(async () => {
  b = await Promise.all(['b1', 'b2'].map((n) => backend(n)))
})
test.after(async () => {
  await Promise.all(b.map((x) => x.close()))
})
test.before.each(async () => {
  b.forEach((x) => ((x.hits.length = 0), (x.status = 200), (x.hold = false)))
  log.length = 0
  mesh = createMesh({
    nodeName: 'n1',
    local: { port: 0 },
    timeoutMs: 300,
    outlier: { consecutive5xx: 2, baseEjectionMs: 60_000 },
    log: (l) => log.push(l),
  })
  port = (await mesh.start()).local!
})
test.after.each(async () => {
  b.forEach((x) => x.release())
  await mesh.stop()
})

test('a connect error: retried on another endpoint, the dead one ejected at once', async () => {
  const dead = await deadPort()
  await mesh.setTable(
    table([service('web', [endpoint('dead', 'n1', dead), endpoint('p1', 'n1', b[0]!.port)])]),
  )
  for (let i = 0; i < 10; i++) assert.is((await get(port, 'web')).body, 'b1 GET /')
  assert.equal(log, ['mesh: ejected default/dead (default/web) after connect'])
  assert.match(
    mesh.metricsText(),
    /shoal_mesh_endpoint_requests_total\{namespace="default",service="web",pod="default\/dead",node="n1"\} 1\n/,
  )
  assert.match(
    mesh.metricsText(),
    /shoal_mesh_endpoint_ejected\{namespace="default",service="web",pod="default\/dead",node="n1"\} 1\n/,
  )
})

test('a POST is not retried: its connect error is a 502 naming the endpoint', async () => {
  const dead = await deadPort()
  await mesh.setTable(table([service('web', [endpoint('dead', 'n1', dead)])]))
  const a = await get(port, 'web', { method: 'POST', body: 'x' })
  assert.is(a.status, 502)
  assert.match(a.body, /^mesh: service default\/web: endpoint default\/dead on node n1 failed: /)
  // never eject all: the one endpoint is still tried (and fails again)
  assert.is((await get(port, 'web')).status, 502)
})

test('a 5xx to GET is retried once on another endpoint; POST gets the 5xx as it is', async () => {
  b[0]!.status = 500
  await mesh.setTable(
    table([
      service('web', [endpoint('p1', 'n1', b[0]!.port), endpoint('p2', 'n1', b[1]!.port)], {
        loadBalancer: 'round-robin',
      }),
    ]),
  )
  assert.is((await get(port, 'web')).body, 'b2 GET /') // p1 answered 500, retried on p2
  assert.equal([b[0]!.hits, b[1]!.hits], [['GET'], ['GET']])
  const post = await get(port, 'web', { method: 'POST', body: 'once' }) // round robin: p1 again
  assert.is(post.status, 500)
  assert.is(post.body, 'b1 POST / once')
  assert.equal(b[0]!.hits, ['GET', 'POST'])
  // two 5xx in a row: p1 ejected, everything goes to p2
  assert.equal(log, ['mesh: ejected default/p1 (default/web) after 5xx'])
  for (let i = 0; i < 4; i++)
    assert.is((await get(port, 'web', { method: 'POST', body: 'y' })).body, 'b2 POST / y')
  // a small PUT body is buffered, so a PUT is retried too
  b[1]!.status = 503
  b[0]!.status = 200
  const put = await get(port, 'web', { method: 'PUT', body: 'again' })
  assert.is(put.body, 'b1 PUT / again')
})

test('per-route timeout → 504 naming the Service and its timeout; not retried', async () => {
  b[0]!.hold = true
  await mesh.setTable(
    table([
      service('slow', [endpoint('p1', 'n1', b[0]!.port), endpoint('p2', 'n1', b[1]!.port)], {
        timeoutMs: 200,
        loadBalancer: 'round-robin',
      }),
    ]),
  )
  const a = await get(port, 'slow')
  assert.is(a.status, 504)
  assert.is(a.body, 'mesh: service default/slow did not answer within 200 ms\n')
  assert.equal(b[1]!.hits, [])
  assert.equal(mesh.serviceStats(), [
    { namespace: 'default', name: 'slow', requests: 1, errors: 1 },
  ])
})

test('metrics text carries the per-Service and per-endpoint counters and histograms', async () => {
  await mesh.setTable(table([service('web', [endpoint('p1', 'n1', b[0]!.port)])]))
  await get(port, 'web')
  await get(port, 'web')
  await get(port, 'ghost')
  const text = mesh.metricsText()
  const svc = 'namespace="default",service="web"'
  const ep = `${svc},pod="default/p1",node="n1"`
  for (const line of [
    `shoal_mesh_requests_total{${svc}} 2`,
    `shoal_mesh_errors_total{${svc}} 0`,
    `shoal_mesh_request_duration_seconds_count{${svc}} 2`,
    `shoal_mesh_request_duration_seconds_bucket{${svc},le="+Inf"} 2`,
    `shoal_mesh_endpoint_requests_total{${ep}} 2`,
    `shoal_mesh_endpoint_errors_total{${ep}} 0`,
    `shoal_mesh_endpoint_outstanding{${ep}} 0`,
    `shoal_mesh_endpoint_request_duration_seconds_count{${ep}} 2`,
    '# TYPE shoal_mesh_request_duration_seconds histogram',
  ])
    assert.ok(text.includes(line + '\n'), `missing: ${line}`)
  assert.equal(mesh.serviceStats(), [{ namespace: 'default', name: 'web', requests: 2, errors: 0 }])
  const [web] = mesh.endpointStats().filter((e) => e.service === 'web')
  assert.equal(
    { ...web, latency: undefined },
    {
      ...{ namespace: 'default', service: 'web', pod: 'p1', requests: 2, errors: 0 },
      latency: undefined,
    },
  )
  assert.is(web!.latency.length, 14)
  assert.is(
    web!.latency.reduce((a, b) => a + b, 0),
    2,
  )
})

test('a client that goes away aborts its upstream request and ejects nobody', async () => {
  b[0]!.hold = true
  await mesh.setTable(
    table([service('web', [endpoint('p1', 'n1', b[0]!.port)], { timeoutMs: 60_000 })]),
  )
  const req = request({ host: '127.0.0.1', port, headers: { host: 'web' }, agent: false })
  req.on('error', () => {})
  req.end()
  while (b[0]!.hits.length === 0) await new Promise((r) => setTimeout(r, 5))
  req.destroy()
  const ep = 'namespace="default",service="web",pod="default/p1",node="n1"'
  while (!mesh.metricsText().includes(`shoal_mesh_endpoint_outstanding{${ep}} 0\n`))
    await new Promise((r) => setTimeout(r, 5))
  assert.equal(log, [])
  assert.ok(mesh.metricsText().includes(`shoal_mesh_endpoint_ejected{${ep}} 0\n`))
})

test.run()
