import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Ingress } from '../../api/index.ts'
import { ingressEntries } from './mesh-ingress.ts'

const ing = (ns: string, name: string, created: string, host: string): Ingress => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name, namespace: ns, creationTimestamp: created },
  spec: {
    rules: [
      {
        host,
        http: {
          paths: [
            { pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } },
          ],
        },
      },
    ],
  },
})

test('oldest Ingress first, then by namespace/name; an empty path is "/"', () => {
  const { ingress, ingressTls } = ingressEntries([
    ing('b', 'x', '2026-01-01T00:00:01Z', 'late.example'),
    ing('b', 'a', '2026-01-01T00:00:00Z', 'b-a.example'),
    ing('a', 'z', '2026-01-01T00:00:00Z', 'a-z.example'),
  ])
  assert.equal(
    ingress.map((r) => `${r.ingress} ${r.host} ${r.pathType} ${r.path}`),
    ['a/z a-z.example Prefix /', 'b/a b-a.example Prefix /', 'b/x late.example Prefix /'],
  )
  assert.equal(ingressTls, [])
})

test('malformed Ingresses (no spec, no backend port) give no routes rather than a crash', () => {
  const bad = { ...ing('a', 'b', '', 'h'), spec: undefined } as unknown as Ingress
  const noPort = ing('a', 'c', '', 'h')
  noPort.spec.rules![0].http!.paths[0].backend = { service: { name: 'web', port: {} } }
  assert.equal(ingressEntries([bad, noPort]), { ingress: [], ingressTls: [] })
})

test.run()
