import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseHost } from './host-route.ts'

const d = { namespace: 'default', clusterDomain: 'cluster.local' }

test('every Kubernetes form of a Service name, with and without a port', () => {
  assert.equal(parseHost('web', d), { namespace: 'default', name: 'web', port: undefined })
  assert.equal(parseHost('web:8080', d), { namespace: 'default', name: 'web', port: 8080 })
  assert.equal(parseHost('web.shop', d), { namespace: 'shop', name: 'web', port: undefined })
  assert.equal(parseHost('web.shop.svc', d), { namespace: 'shop', name: 'web', port: undefined })
  assert.equal(parseHost('Web.Shop.svc.cluster.local:81', d), {
    namespace: 'shop',
    name: 'web',
    port: 81,
  })
  assert.equal(parseHost('web.shop.svc.cluster.local.', d), {
    namespace: 'shop',
    name: 'web',
    port: undefined,
  })
})

test('names that are no Service', () => {
  assert.is(parseHost(undefined, d), undefined)
  assert.is(parseHost('', d), undefined)
  assert.is(parseHost('web.shop.example.com', d), undefined)
  assert.is(parseHost('web.shop.svc.other.domain', d), undefined)
  assert.is(parseHost('127.0.0.1:80', d), undefined)
  assert.is(parseHost('[::1]:80', d), undefined)
  assert.is(parseHost('web:99999', d), undefined)
  assert.is(parseHost('web:x', d), undefined)
})

test.run()
