// Balancing across real meshes on 127.0.0.1 talking mutual TLS: local first, power of two
// choices over other nodes, round robin, ClientIP affinity, draining, a node going offline.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { backend, endpoint, fleet, get, service, type Backend, type Fleet } from './mesh-fixture.ts'

let b: Backend[], f: Fleet

test.before(async () => {
  b = await Promise.all(['b1', 'b2', 'b3'].map((n) => backend(n)))
  f = await fleet(3)
})
test.after(async () => {
  await f.stop()
  await Promise.all(b.map((x) => x.close()))
})
test.before.each(() => b.forEach((x) => ((x.hits.length = 0), (x.status = 200), (x.hold = false))))

/** count of answers per backend name over `n` sequential requests to mesh `i` */
async function spread(i: number, host: string, n: number): Promise<Record<string, number>> {
  const seen: Record<string, number> = {}
  for (let k = 0; k < n; k++) {
    const a = await get(f.local[i]!, host)
    const who = a.status === 200 ? a.body.split(' ')[0]! : String(a.status)
    seen[who] = (seen[who] ?? 0) + 1
  }
  return seen
}

test('local first: a node with a local endpoint keeps its requests', async () => {
  await f.apply([
    service('web', [
      endpoint('p1', 'n1', b[0]!.port),
      endpoint('p2', 'n2', b[1]!.port),
      endpoint('p3', 'n3', b[2]!.port),
    ]),
  ])
  assert.equal(await spread(0, 'web', 20), { b1: 20 })
  assert.equal(await spread(1, 'web', 20), { b2: 20 })
  // the answer names the pod and node that served it
  const a = await get(f.local[1]!, 'web')
  assert.equal([a.headers['x-shoal-pod'], a.headers['x-shoal-node']], ['default/p2', 'n2'])
})

test('no local endpoint: power of two choices over the other nodes, through their meshes (mTLS)', async () => {
  await f.apply([
    service('web', [endpoint('p2', 'n2', b[1]!.port), endpoint('p3', 'n3', b[2]!.port)]),
  ])
  const seen = await spread(0, 'web', 60)
  assert.equal(Object.keys(seen).sort(), ['b2', 'b3'])
  assert.is(seen.b2! + seen.b3!, 60)
  // the receiving mesh forwarded it: via both, the client's address kept, proto of the hop
  const h = b[1]!.lastHeaders!
  assert.is(h.via, '1.1 n1, 1.1 n2')
  assert.is(h['x-forwarded-for'], '127.0.0.1')
  assert.is(h['x-shoal-target-port'], undefined)
  // named once, by the node whose instance answered
  const a = await get(f.local[0]!, 'web')
  const who = a.body.split(' ')[0] === 'b2' ? ['default/p2', 'n2'] : ['default/p3', 'n3']
  assert.equal([a.headers['x-shoal-pod'], a.headers['x-shoal-node']], who)
})

test('round robin when the Service asks: strictly in turn, local first', async () => {
  const eps = [
    endpoint('p1', 'n1', b[0]!.port),
    endpoint('p2', 'n2', b[1]!.port),
    endpoint('p3', 'n3', b[2]!.port),
  ]
  await f.apply([service('web', eps, { loadBalancer: 'round-robin' })])
  const order: string[] = []
  for (let k = 0; k < 6; k++) order.push((await get(f.local[0]!, 'web')).body.split(' ')[0]!)
  assert.equal(order, ['b1', 'b2', 'b3', 'b1', 'b2', 'b3'])
})

test('sessionAffinity ClientIP: one client stays on one endpoint', async () => {
  const eps = [endpoint('p2', 'n2', b[1]!.port), endpoint('p3', 'n3', b[2]!.port)]
  await f.apply([service('web', eps, { sessionAffinity: 'ClientIP', loadBalancer: 'round-robin' })])
  const seen = await spread(0, 'web', 10)
  assert.is(Object.keys(seen).length, 1)
  assert.is(Object.values(seen)[0], 10)
})

test('a node going offline leaves every pool at once', async () => {
  const eps = [endpoint('p2', 'n2', b[1]!.port), endpoint('p3', 'n3', b[2]!.port)]
  await f.apply([service('web', eps)])
  assert.equal(Object.keys(await spread(0, 'web', 30)).sort(), ['b2', 'b3'])
  await f.apply([service('web', eps)], [f.node(1), f.node(2), f.node(3, false)])
  assert.equal(await spread(0, 'web', 20), { b2: 20 })
})

test('draining: a terminating endpoint gets no new request and its request in flight completes', async () => {
  const eps = [endpoint('p1', 'n1', b[0]!.port), endpoint('p2', 'n2', b[1]!.port)]
  await f.apply([service('web', eps)])
  b[0]!.hold = true
  const inFlight = get(f.local[0]!, 'web')
  while (b[0]!.hits.length === 0) await new Promise((r) => setTimeout(r, 5))
  const drained = f.meshes[0]!.drainLocal('p1')
  let idle = false
  void drained.then(() => (idle = true))
  assert.equal(await spread(0, 'web', 5), { b2: 5 }) // drained: no new request, even local
  assert.is(idle, false)
  await f.apply([service('web', [{ ...eps[0]!, terminating: true, ready: false }, eps[1]!])])
  assert.equal(await spread(0, 'web', 5), { b2: 5 })
  b[0]!.release()
  assert.is((await inFlight).body, 'b1 GET /')
  await drained
  assert.equal(b[0]!.hits, ['GET'])
})

test('an overloaded local endpoint (requests in flight ≥ overloadOutstanding) spills to another node', async () => {
  const g = await fleet(2, { overloadOutstanding: 1 })
  try {
    await g.apply([
      service('web', [endpoint('p1', 'n1', b[0]!.port), endpoint('p2', 'n2', b[1]!.port)]),
    ])
    b[0]!.hold = true
    const held = get(g.local[0]!, 'web')
    while (b[0]!.hits.length === 0) await new Promise((r) => setTimeout(r, 5))
    assert.is((await get(g.local[0]!, 'web')).body, 'b2 GET /') // local has 1 in flight: remote
    b[0]!.release()
    assert.is((await held).body, 'b1 GET /')
    b[0]!.hold = false
    assert.is((await get(g.local[0]!, 'web')).body, 'b1 GET /') // idle again: local
  } finally {
    await g.stop()
  }
})

test.run()
