// Ingress and LoadBalancer Services in the real plane (in process, plain HTTP on loopback)
// through the stock kubectl: `kubectl create ingress` (protobuf body) and `get ingress` columns,
// an invalid Ingress refused naming its fields, and the addresses the load-balancer controller
// gives a LoadBalancer Service and an Ingress (the ingress-labelled nodes' InternalIPs).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryLogger } from '../../src/core/index.ts'
import { createPlane, type Plane } from '../../src/plane/index.ts'
import { resourceByKind, type Node } from '../../src/api/index.ts'
import { asyncKubectl, until } from './harness.ts'

const NODES = resourceByKind('Node')!
const dir = mkdtempSync(join(tmpdir(), 'shoal-ingress-'))
const { kubectl, json, writeKubeconfig } = asyncKubectl(dir)
let plane: Plane

const stamp = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z')

const nodeObject = (name: string, ip: string, labels: Record<string, string> = {}): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
  spec: {},
  status: {
    addresses: [{ type: 'InternalIP', address: ip }],
    conditions: [
      { type: 'Ready', status: 'True', lastHeartbeatTime: stamp(), lastTransitionTime: stamp() },
    ],
  },
})

test.before(async () => {
  plane = await createPlane({
    dataDir: join(dir, 'data'),
    listen: '127.0.0.1:0',
    insecureHttp: true,
    scheduler: false,
    logger: process.env.DEBUG_LOG ? undefined : memoryLogger(),
  })
  await plane.objects.create(NODES, nodeObject('pi-1', '192.0.2.1'))
  await plane.objects.create(NODES, nodeObject('pi-2', '192.0.2.2'))
  writeKubeconfig(plane.url)
})

test.after(async () => {
  await plane?.close()
  rmSync(dir, { recursive: true, force: true })
})

test('kubectl create ingress: rules, tls and class stored as Kubernetes stores them; get ingress columns', async () => {
  assert.is(
    (
      await kubectl(
        ...['create', 'ingress', 'shop', '--class=shoal'],
        ...[
          '--rule=shop.example.com/=web:80',
          '--rule=shop.example.com/api*=api:http,tls=shop-tls',
        ],
        '--rule=*.example.com/=web:80',
      )
    ).trim(),
    'ingress.networking.k8s.io/shop created',
  )
  const ing = await json('ingress', 'shop')
  assert.equal(ing.spec, {
    ingressClassName: 'shoal',
    rules: [
      {
        host: 'shop.example.com',
        http: {
          paths: [
            {
              path: '/',
              pathType: 'Exact',
              backend: { service: { name: 'web', port: { number: 80 } } },
            },
            {
              path: '/api',
              pathType: 'Prefix',
              backend: { service: { name: 'api', port: { name: 'http' } } },
            },
          ],
        },
      },
      {
        host: '*.example.com',
        http: {
          paths: [
            {
              path: '/',
              pathType: 'Exact',
              backend: { service: { name: 'web', port: { number: 80 } } },
            },
          ],
        },
      },
    ],
    tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
  })
  // the load-balancer controller's addresses: every Ready node, none being labelled for ingress
  await until('the Ingress addresses', async () => {
    const st = (await json('ingress', 'shop')).status?.loadBalancer?.ingress
    return st?.length === 2
  })
  const rows = (await kubectl('get', 'ing')).trim().split('\n')
  assert.equal(rows[0].split(/\s{2,}/), ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'])
  assert.equal(rows[1].split(/\s{2,}/).slice(0, 5), [
    'shop',
    'shoal',
    'shop.example.com,*.example.com',
    '192.0.2.1,192...',
    '80, 443',
  ])
  const described = await kubectl('describe', 'ingress', 'shop')
  assert.match(described, /\nAddress:\s+192\.0\.2\.1,192\.0\.2\.2\n/)
  assert.match(described, /\n {2}shop-tls terminates shop\.example\.com\n/)
  assert.match(described, /\n\s+\/api\s+api:http /)
  assert.equal((await json('ingress', 'shop')).status.loadBalancer.ingress, [
    { ip: '192.0.2.1' },
    { ip: '192.0.2.2' },
  ])
})

test('a LoadBalancer Service: EXTERNAL-IP from the ingress nodes, kept current as one is labelled', async () => {
  await kubectl('create', 'service', 'loadbalancer', 'edge', '--tcp=80:8080')
  const external = async () =>
    (await kubectl('get', 'svc', 'edge', '--no-headers')).trim().split(/\s+/)[3]
  assert.is(
    await until('the Service addresses', async () => {
      const ip = await external()
      return ip !== '<pending>' && ip
    }),
    '192.0.2.1,192...',
  )
  await kubectl('label', 'node', 'pi-2', 'node-role.kubernetes.io/ingress=')
  await until('pi-2 alone', async () => (await external()) === '192.0.2.2')
  assert.match(await kubectl('get', 'node', 'pi-2', '--no-headers'), /^pi-2\s+\S+\s+ingress\s/)
  await kubectl('create', 'service', 'clusterip', 'inside', '--tcp=80:8080')
  assert.is(
    (await kubectl('get', 'svc', 'inside', '--no-headers')).trim().split(/\s+/)[3],
    '<none>',
  )
})

test('an invalid Ingress is refused naming each field', async () => {
  writeFileSync(
    join(dir, 'bad.yaml'),
    `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: bad}
spec:
  rules:
  - host: 10.0.0.1
    http:
      paths:
      - {path: /a, backend: {service: {name: web, port: {number: 80}}}}
      - {path: a//b, pathType: Prefix, backend: {service: {name: Web, port: {name: http, number: 80}}}}
      - {path: /x, pathType: Regex, backend: {}}
  - host: "*.*.example.com"
    http: {paths: []}
  tls: [{hosts: ["bad_host"], secretName: "Bad"}]
`,
  )
  const err = await kubectl('create', '-f', join(dir, 'bad.yaml')).then(
    () => '',
    (e: Error) => e.message,
  )
  for (const cause of [
    'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
    'spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
    `spec.rules[0].http.paths[1].path: Invalid value: "a//b": must be an absolute path`,
    'spec.rules[0].http.paths[1].backend.service.name: Invalid value: "Web"',
    'spec.rules[0].http.paths[1].backend.service.port: Invalid value: "": cannot set both port name & port number',
    'spec.rules[0].http.paths[2].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
    'spec.rules[1].host: Invalid value: "*.*.example.com": a wildcard DNS-1123 subdomain',
    'spec.rules[1].http.paths: Required value',
    'spec.tls[0].hosts[0]: Invalid value: "bad_host"',
    'spec.tls[0].secretName: Invalid value: "Bad"',
  ])
    assert.ok(err.includes(cause), `missing ${cause} in:\n${err}`)
  writeFileSync(
    join(dir, 'empty.yaml'),
    'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: empty}\nspec: {ingressClassName: x}\n',
  )
  const none = await kubectl('create', '-f', join(dir, 'empty.yaml')).catch((e: Error) => e.message)
  assert.match(
    none,
    /spec: Invalid value: null: either `defaultBackend` or `rules` must be specified/,
  )
  // a default backend alone is enough
  await kubectl('create', 'ingress', 'catch-all', '--default-backend=web:80')
  assert.equal((await json('ingress', 'catch-all')).spec, {
    defaultBackend: { service: { name: 'web', port: { number: 80 } } },
  })
})

test.run()
