import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import type { MeshService, MeshTable, MeshTableMessage } from '../api/index.ts'
import { harness, waitFor } from './agent-fixture.ts'
import { withMeshChange } from './mesh-cache.ts'

const svc = (name: string, port: number): MeshService => ({
  ...{ namespace: 'default', name, resourceVersion: '1', type: 'ClusterIP', exposed: false },
  ports: [{ name: '', port: 80, protocol: 'TCP' }],
  ...{ sessionAffinity: 'None', loadBalancer: 'least-request' },
  endpoints: [
    {
      ...{ uid: `u-${name}`, pod: `default/${name}-1`, node: 'n1', ports: { '': port } },
      ...{ ready: true, serving: true, terminating: false },
    },
  ],
})
const n1 = { name: 'n1', address: '10.0.0.1', meshPort: 10443, online: true }
const table = (revision: number, services: MeshService[]): MeshTableMessage => ({
  type: 'mesh',
  revision,
  services,
  nodes: [n1],
})
const plain = (t: MeshTable): MeshTable => ({
  revision: t.revision,
  services: t.services,
  nodes: t.nodes,
})

test('hello names the mesh revision held and the mesh port; a table is taken, told, saved and answered', async () => {
  const h = await harness({ meshPort: 10555 })
  h.channel.connect()
  const [hello] = h.channel.of('hello')
  assert.is(hello.meshRevision, 0)
  assert.is(hello.info.meshPort, 10555)
  const told: number[] = []
  const stop = h.agent.onMeshTable((t) => told.push(t.revision))
  h.channel.deliver(table(7, [svc('a', 40001)]))
  assert.equal(plain(h.agent.meshTable()), plain(table(7, [svc('a', 40001)])))
  await waitFor('mesh-applied', () => h.channel.of('mesh-applied').length === 1)
  assert.equal(h.channel.of('mesh-applied'), [{ type: 'mesh-applied', revision: 7 }])
  assert.equal(
    JSON.parse(readFileSync(`${h.dir}/mesh.json`, 'utf8')),
    plain(table(7, [svc('a', 40001)])),
  )
  // a change on the table held: b added, a changed, n2 added
  const n2 = { name: 'n2', address: '10.0.0.2', meshPort: 10443, online: false }
  h.channel.deliver({
    ...{ type: 'mesh-change', revision: 9, base: 7, services: [svc('b', 40003), svc('a', 40002)] },
    ...{ removedServices: [], nodes: [n2], removedNodes: [] },
  })
  assert.equal(
    h.agent.meshTable().services.map((s) => [s.name, s.endpoints[0].ports['']]),
    [
      ['a', 40002],
      ['b', 40003],
    ],
  )
  assert.equal(h.agent.meshTable().nodes, [n1, n2])
  await waitFor('9 on disk', () => h.channel.of('mesh-applied').length === 2)
  // a change whose base is not held: the whole table is asked for, nothing taken
  h.channel.deliver({
    ...{ type: 'mesh-change', revision: 12, base: 10, services: [] },
    ...{ removedServices: ['default/a'], nodes: [], removedNodes: [] },
  })
  assert.is(h.agent.meshTable().revision, 9)
  // stale: ignored, the revision on disk restated
  h.channel.deliver(table(8, []))
  await waitFor('answers', () => h.channel.of('mesh-applied').length === 4)
  assert.equal(h.channel.of('mesh-applied').slice(1), [
    { type: 'mesh-applied', revision: 9 },
    { type: 'mesh-applied', revision: 9, resync: true },
    { type: 'mesh-applied', revision: 9 },
  ])
  assert.equal(told, [7, 9])
  stop()
  // a malformed table is dropped with a log line, never taken
  h.channel.deliver({ ...table(20, []), nodes: [{ ...n1, meshPort: -1 }] })
  assert.is(h.agent.meshTable().revision, 9)
  // the next start loads it from disk and says so in its hello
  const again = await h.restart({ meshPort: 10555 })
  assert.is(again.agent.meshTable().revision, 9)
  assert.equal(
    again.agent.meshTable().services.map((s) => s.name),
    ['a', 'b'],
  )
  again.channel.connect()
  assert.is(again.channel.of('hello')[0].meshRevision, 9)
  await again.cleanup()
})

test('withMeshChange: removed entries go, changed ones stay in place, new ones follow', () => {
  const held: MeshTable = { revision: 3, services: [svc('a', 1), svc('b', 2)], nodes: [n1] }
  const next = withMeshChange(held, {
    ...{ type: 'mesh-change', revision: 4, base: 3, services: [svc('c', 3), svc('b', 5)] },
    ...{ removedServices: ['default/a'], nodes: [], removedNodes: ['n1'] },
  })
  assert.equal(
    next.services.map((s) => [s.name, s.endpoints[0].ports['']]),
    [
      ['b', 5],
      ['c', 3],
    ],
  )
  assert.equal(next.nodes, [])
  assert.is(next.revision, 4)
})

test('withMeshChange: the Ingress lists are replaced whole when sent, kept when not', () => {
  const route = (path: string) => ({
    ...{ ingress: 'default/shop', host: 'shop.example', pathType: 'Prefix' as const, path },
    ...{ namespace: 'default', service: 'web', port: 80 },
  })
  const tls = [{ secret: 'default/shop-tls', hosts: ['shop.example'] }]
  const held: MeshTable = { revision: 3, services: [], nodes: [], ingress: [route('/a')] }
  const base = { type: 'mesh-change' as const, services: [], removedServices: [], nodes: [] }
  const kept = withMeshChange(held, { ...base, revision: 4, base: 3, removedNodes: [] })
  assert.equal(kept.ingress, [route('/a')])
  assert.is(kept.ingressTls, undefined)
  const next = withMeshChange(kept, {
    ...{ ...base, revision: 5, base: 4, removedNodes: [] },
    ...{ ingress: [route('/b'), route('/c')], ingressTls: tls },
  })
  assert.equal(next.ingress, [route('/b'), route('/c')])
  assert.equal(next.ingressTls, tls)
  assert.equal(
    withMeshChange(next, { ...base, revision: 6, base: 5, removedNodes: [], ingress: [] }).ingress,
    [],
  )
})

test.run()
