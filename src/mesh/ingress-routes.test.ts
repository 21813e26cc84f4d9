import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { MeshIngressRoute } from '../api/index.ts'
import { hostName, IngressRoutes } from './ingress-routes.ts'

const r = (
  host: string,
  pathType: 'Exact' | 'Prefix',
  path: string,
  service: string,
  o: Partial<MeshIngressRoute> = {},
): MeshIngressRoute => ({
  ...{ ingress: 'default/i', host, pathType, path, namespace: 'default', service, port: 80 },
  ...o,
})

const routes = new IngressRoutes([
  r('shop.example.com', 'Prefix', '/', 'home'),
  r('shop.example.com', 'Prefix', '/api/', 'api'),
  r('shop.example.com', 'Prefix', '/api/v2', 'api-v2'),
  r('shop.example.com', 'Exact', '/api/v2', 'exact'),
  r('shop.example.com', 'Prefix', '/api', 'api-later'), // same prefix as /api/: the first wins
  r('*.example.com', 'Prefix', '/', 'wild'),
  r('', 'Prefix', '/static', 'static'),
  r('', 'Prefix', '/', 'fallback', { defaultBackend: true }),
  r('', 'Prefix', '/', 'second-default', { defaultBackend: true }),
  r('only.example.org', 'Exact', '/x', 'only'),
])
const to = (host: string, path: string) => routes.match(host, path)?.service ?? 'none'

test('host: exact, then one-label wildcard, then rules without a host', () => {
  assert.is(to('shop.example.com', '/'), 'home')
  assert.is(to('SHOP.example.com:8080', '/'), 'home')
  assert.is(to('blog.example.com', '/anything'), 'wild')
  assert.is(to('a.blog.example.com', '/static/x.css'), 'static', 'a wildcard covers one label')
  assert.is(to('example.com', '/static'), 'static')
  assert.is(to('10.0.0.1', '/'), 'fallback')
})

test('path: Exact first, then the longest Prefix by elements; the first of equals', () => {
  assert.is(to('shop.example.com', '/api/v2'), 'exact')
  assert.is(to('shop.example.com', '/api/v2/'), 'api-v2')
  assert.is(to('shop.example.com', '/api/v2/items?q=1'), 'api-v2')
  assert.is(to('shop.example.com', '/api/v22'), 'api')
  assert.is(to('shop.example.com', '/api'), 'api', 'a trailing / of the prefix is ignored')
  assert.is(to('shop.example.com', '/apiary'), 'home', 'by elements, not characters')
})

test("no rule of the host's matches: the default backend (the oldest), else none", () => {
  assert.is(to('only.example.org', '/x'), 'only')
  assert.is(to('only.example.org', '/y'), 'fallback')
  assert.is(new IngressRoutes([r('a.b', 'Exact', '/x', 'x')]).match('a.b', '/y'), undefined)
  assert.is(new IngressRoutes([]).match('a.b', '/'), undefined)
})

test('hostName: port, case and a final dot dropped; IPv6 literals kept', () => {
  assert.is(hostName('Shop.Example.com.:443'), 'shop.example.com')
  assert.is(hostName('[::1]:80'), '[::1]')
  assert.is(hostName('[::1]'), '[::1]')
  assert.is(hostName(undefined), '')
})

test.run()
