import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Worker } from 'node:worker_threads'
import { inNamespace, isServiceHost, ServiceProxyCell, type ServiceProxy } from './service-proxy.ts'

const proxy: ServiceProxy = { host: '127.0.0.1', port: 10080, namespaces: ['default', 'shop'] }

test('Service names go to the mesh; public names, IPs and localhost do not', () => {
  const yes = [
    'backend',
    'backend:8080',
    'backend.default',
    'cart.shop:81',
    'backend.anyns.svc',
    'backend.anyns.svc.cluster.local',
    'Backend.Default.SVC.cluster.local.',
  ]
  const no = [
    'example.com',
    'backend.elsewhere', // no Service in namespace elsewhere: a public name
    'a.b.c',
    'backend.ns.svc.other.domain',
    'localhost',
    '127.0.0.1',
    '127.0.0.1:80',
    '[::1]:80',
    '',
    'a..svc',
  ]
  assert.equal(
    yes.filter((h) => !isServiceHost(h, proxy)),
    [],
  )
  assert.equal(
    no.filter((h) => isServiceHost(h, proxy)),
    [],
  )
  assert.ok(isServiceHost('b.ns.svc.edge.lan', { ...proxy, clusterDomain: 'edge.lan' }))
  assert.not.ok(isServiceHost('backend.default', { host: 'h', port: 1 }))
})

test("inNamespace: a bare <svc> is qualified with the caller's namespace, nothing else", () => {
  assert.is(inNamespace('backend', 'shop'), 'backend.shop.svc')
  assert.is(inNamespace('backend:8080', 'shop'), 'backend.shop.svc:8080')
  assert.is(inNamespace('backend', undefined), 'backend')
  assert.is(inNamespace('backend.default', 'shop'), 'backend.default')
  assert.is(inNamespace('backend.default.svc', 'shop'), 'backend.default.svc')
  assert.is(inNamespace('[::1]:80', 'shop'), '[::1]:80')
})

test('the cell: set, read back, cleared, and seen by another thread', async () => {
  const cell = new ServiceProxyCell()
  assert.is(cell.get(), undefined)
  cell.set(proxy)
  assert.equal(cell.get(), proxy)
  cell.set({ ...proxy, port: 1 })
  assert.is(cell.get()!.port, 1)
  const code = `const { workerData, parentPort } = require('node:worker_threads')
    const meta = new Int32Array(workerData, 0, 2)
    const text = new TextDecoder().decode(new Uint8Array(workerData, 8, meta[1]).slice())
    parentPort.postMessage(JSON.parse(text).port)`
  const w = new Worker(code, { eval: true, workerData: cell.buffer })
  assert.is(await new Promise((r) => w.once('message', r)), 1)
  await w.terminate()
  cell.set(undefined)
  assert.is(cell.get(), undefined)
  assert.is(new ServiceProxyCell(cell.buffer).get(), undefined)
})

test('a setting too large for the cell is refused with a clear error', () => {
  const cell = new ServiceProxyCell(new SharedArrayBuffer(8 + 32))
  assert.throws(
    () => cell.set(proxy),
    /runtime: the service proxy setting is \d+ bytes, more than 32/,
  )
})

test.run()
