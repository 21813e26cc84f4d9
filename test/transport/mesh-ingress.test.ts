// The Ingress part of the mesh table, built by the plane's node channel against the real log
// store with the in-memory bus: the exact routes and TLS entries (oldest Ingress first, paths in
// order, ImplementationSpecific as Prefix, the default backend last, resource backends left out),
// a ClusterIP Service named by an Ingress not exposed by its own name, and Ingress changes sent
// as the whole lists in a mesh-change (Services untouched), an Ingress deleted taking its routes.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { info, openChannelFixture } from './channel-fixture.ts'
import {
  resourceByKind,
  type Ingress,
  type MeshChange,
  type MeshTable,
  type Service,
} from '../../src/api/index.ts'
import { withMeshChange } from '../../src/node-agent/mesh-cache.ts'

const SERVICES = resourceByKind('Service')!
const INGRESSES = resourceByKind('Ingress')!

const hello = {
  type: 'hello',
  appliedRevision: 0,
  bootId: 'boot-1',
  meshRevision: 0,
  info: { ...info, meshPort: 10443, addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] },
}

const ingress = (name: string, spec: Ingress['spec'], created: string): Ingress => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name, namespace: 'shop', creationTimestamp: created },
  spec,
})

const svcBackend = (name: string, port: { number?: number; name?: string }) => ({
  service: { name, port },
})

test('the exact Ingress routes and TLS entries; changes as whole lists; a ClusterIP Service named by an Ingress stays unexposed', async () => {
  const f = await openChannelFixture('mesh-ingress')
  try {
    f.bus.deliver('pi-1', 'hello', hello)
    await f.settle()
    await f.objects.create(SERVICES, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] },
    } as Service)
    await f.objects.create(
      INGRESSES,
      ingress(
        'a-older',
        {
          defaultBackend: svcBackend('web', { name: 'http' }),
          tls: [
            { hosts: ['shop.example.com'], secretName: 'shop-tls' },
            { hosts: ['x.example.com'] },
          ],
          rules: [
            {
              host: '*.example.com',
              http: {
                paths: [
                  { path: '/exact', pathType: 'Exact', backend: svcBackend('web', { number: 80 }) },
                  {
                    pathType: 'ImplementationSpecific',
                    backend: svcBackend('web', { name: 'http' }),
                  },
                  {
                    path: '/r',
                    pathType: 'Prefix',
                    backend: { resource: { kind: 'Bucket', name: 'b' } },
                  },
                ],
              },
            },
          ],
        },
        '2026-01-01T00:00:00Z',
      ),
    )
    // created after: its routes follow (by creationTimestamp, then namespace/name)
    await f.objects.create(
      INGRESSES,
      ingress(
        'b-newer',
        {
          rules: [
            {
              host: 'shop.example.com',
              http: {
                paths: [
                  { path: '/', pathType: 'Prefix', backend: svcBackend('api', { number: 8080 }) },
                ],
              },
            },
          ],
        },
        '2026-01-02T00:00:00Z',
      ),
    )
    await f.settle()
    const sent = f.bus.take(undefined, 'mesh').map((s) => s.msg as Record<string, any>)
    let table: MeshTable = sent[0] as MeshTable
    for (const m of sent.slice(1)) table = withMeshChange(table, m as MeshChange)
    assert.equal(table.ingress, [
      {
        ...{ ingress: 'shop/a-older', host: '*.example.com', pathType: 'Exact', path: '/exact' },
        ...{ namespace: 'shop', service: 'web', port: 80 },
      },
      {
        ...{ ingress: 'shop/a-older', host: '*.example.com', pathType: 'Prefix', path: '/' },
        ...{ namespace: 'shop', service: 'web', port: 'http' },
      },
      {
        ...{ ingress: 'shop/a-older', host: '', pathType: 'Prefix', path: '/' },
        ...{ defaultBackend: true, namespace: 'shop', service: 'web', port: 'http' },
      },
      {
        ...{ ingress: 'shop/b-newer', host: 'shop.example.com', pathType: 'Prefix', path: '/' },
        ...{ namespace: 'shop', service: 'api', port: 8080 },
      },
    ])
    assert.equal(table.ingressTls, [{ secret: 'shop/shop-tls', hosts: ['shop.example.com'] }])
    const web = table.services.find((s) => s.name === 'web')!
    assert.equal([web.type, web.exposed], ['ClusterIP', false])

    // one Ingress goes: a change carrying the routes left, whole; no TLS list (unchanged)
    const newer = await f.objects.get(INGRESSES, { namespace: 'shop', name: 'b-newer' })
    await f.objects.remove(INGRESSES, newer!)
    await f.settle()
    const changes = f.bus.take(undefined, 'mesh').map((s) => s.msg as Record<string, any>)
    assert.is(changes.length, 1)
    const change = changes[0] as MeshChange
    assert.equal(
      [change.type, change.services, change.removedServices, change.ingressTls],
      ['mesh-change', [], [], undefined],
    )
    assert.equal(
      change.ingress!.map((r) => `${r.ingress} ${r.host} ${r.path}`),
      ['shop/a-older *.example.com /exact', 'shop/a-older *.example.com /', 'shop/a-older  /'],
    )
  } finally {
    await f.close()
  }
})

test.run()
