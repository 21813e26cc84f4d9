import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseNodePortRange } from './node-ports.ts'
import { openRouteFixture, type RouteFixture } from './route-fixture.ts'

const SVCS = '/api/v1/namespaces/default/services'

const svc = (name: string, type: string, ports: Record<string, unknown>[]) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { type, selector: { app: name }, ports },
})

const nodePorts = (a: { json: any }) =>
  a.json.spec.ports.map((p: { nodePort?: number }) => p.nodePort)

async function withApi(run: (f: RouteFixture) => Promise<void>) {
  const f = await openRouteFixture('node-ports')
  try {
    await run(f)
  } finally {
    await f.close()
  }
}

test('NodePort and LoadBalancer Services get free node ports; an explicit one must be free and in range', () =>
  withApi(async (f) => {
    const a = await f.request(
      'POST',
      SVCS,
      svc('a', 'NodePort', [
        { name: 'http', port: 80 },
        { name: 'admin', port: 81, nodePort: 30001 },
      ]),
    )
    assert.is(a.status, 201, a.text)
    assert.equal(nodePorts(a), [30000, 30001])
    const b = await f.request('POST', SVCS, svc('b', 'LoadBalancer', [{ port: 80 }]))
    assert.is(b.status, 201, b.text)
    assert.equal(nodePorts(b), [30002])
    const c = await f.request('POST', SVCS, svc('c', 'ClusterIP', [{ port: 80 }]))
    assert.equal(nodePorts(c), [undefined])
    const taken = await f.request(
      'POST',
      SVCS,
      svc('d', 'NodePort', [{ port: 80, nodePort: 30001 }]),
    )
    assert.is(taken.status, 422)
    assert.is(taken.json.reason, 'Invalid')
    assert.is(
      taken.json.message,
      'Service "d" is invalid: spec.ports[0].nodePort: Invalid value: 30001: provided port is already allocated',
    )
    assert.equal(taken.json.details.causes, [
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: 30001: provided port is already allocated',
        field: 'spec.ports[0].nodePort',
      },
    ])
    const out = await f.request('POST', SVCS, svc('d', 'NodePort', [{ port: 80, nodePort: 8080 }]))
    assert.is(out.status, 422)
    assert.match(
      out.json.message,
      'spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767',
    )
    // a dry run allocates nothing for good
    const dry = await f.request('POST', `${SVCS}?dryRun=All`, svc('e', 'NodePort', [{ port: 80 }]))
    assert.equal(nodePorts(dry), [30003])
    const e = await f.request('POST', SVCS, svc('e', 'NodePort', [{ port: 80 }]))
    assert.equal(nodePorts(e), [30003])
  }))

test('freed when the Service is deleted or becomes ClusterIP; kept across an update that leaves them out', () =>
  withApi(async (f) => {
    await f.request('POST', SVCS, svc('a', 'NodePort', [{ port: 80 }]))
    const b = await f.request('POST', SVCS, svc('b', 'NodePort', [{ port: 80 }]))
    assert.equal(nodePorts(b), [30001])
    // PUT without the node port: it keeps its own
    const put = await f.request('PUT', `${SVCS}/b`, {
      ...svc('b', 'NodePort', [{ port: 80 }]),
      metadata: { name: 'b', resourceVersion: b.json.metadata.resourceVersion },
    })
    assert.is(put.status, 200, put.text)
    assert.equal(nodePorts(put), [30001])
    // deleted: its port is free for the next
    assert.is((await f.request('DELETE', `${SVCS}/a`)).status, 200)
    const c = await f.request('POST', SVCS, svc('c', 'NodePort', [{ port: 80 }]))
    assert.equal(nodePorts(c), [30000])
    // type ClusterIP: its node port is dropped and free again
    const patched = await f.request(
      'PATCH',
      `${SVCS}/b`,
      { spec: { type: 'ClusterIP' } },
      { 'content-type': 'application/merge-patch+json' },
    )
    assert.is(patched.status, 200, patched.text)
    assert.equal(nodePorts(patched), [undefined])
    const d = await f.request('POST', SVCS, svc('d', 'NodePort', [{ port: 80, nodePort: 30001 }]))
    assert.is(d.status, 201, d.text)
    // and back to NodePort: a port allocated anew
    const back = await f.request(
      'PATCH',
      `${SVCS}/b`,
      { spec: { type: 'NodePort' } },
      { 'content-type': 'application/merge-patch+json' },
    )
    assert.equal(nodePorts(back), [30002])
  }))

test('concurrent creates never share a port', () =>
  withApi(async (f) => {
    const all = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        f.request('POST', SVCS, svc(`s${i}`, 'NodePort', [{ port: 80 }])),
      ),
    )
    const ports = all.map((a) => nodePorts(a)[0]).sort()
    assert.equal(ports, [30000, 30001, 30002, 30003, 30004, 30005, 30006, 30007])
  }))

test('the range: MIN-MAX', () => {
  assert.equal(parseNodePortRange('30000-32767'), { min: 30000, max: 32767 })
  assert.equal(parseNodePortRange(' 8000-8001 '), { min: 8000, max: 8001 })
  assert.is(parseNodePortRange('9-8'), undefined)
  assert.is(parseNodePortRange('0-8'), undefined)
  assert.is(parseNodePortRange('1-70000'), undefined)
  assert.is(parseNodePortRange('x'), undefined)
})

test.run()
