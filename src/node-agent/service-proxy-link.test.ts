import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MeshService, MeshTable } from '../api/index.ts'
import { memoryLogger } from '../core/index.ts'
import { FakeRuntime } from '../wasm-runtime/index.ts'
import type { AgentMesh } from './agent-mesh.ts'
import { MeshCache } from './mesh-cache.ts'
import { linkServiceProxy } from './service-proxy-link.ts'

const dir = mkdtempSync(join(tmpdir(), 'shoal-spl-'))
let revision = 0
/** a Service with no endpoints: only its namespace matters here */
const service = (name: string, _endpoints: [], o: { namespace?: string } = {}): MeshService => ({
  namespace: o.namespace ?? 'default',
  name,
  resourceVersion: '1',
  type: 'ClusterIP',
  exposed: false,
  ports: [{ name: '', port: 80, protocol: 'TCP' }],
  sessionAffinity: 'None',
  loadBalancer: 'least-request',
  endpoints: [],
})
const table = (services: MeshService[]): MeshTable => ({
  revision: ++revision,
  services,
  nodes: [],
})
const mesh = (local?: number) => ({ ports: { local } }) as unknown as AgentMesh

test('the runtime calls Services at the local listener, with the namespaces of every table', async () => {
  const cache = await MeshCache.load(join(dir, 'a.json'), memoryLogger())
  const runtime = new FakeRuntime()
  const unlink = linkServiceProxy(runtime, mesh(40123), { options: {}, cache })
  assert.equal(runtime.serviceProxy, { host: '127.0.0.1', port: 40123, namespaces: [] })
  const t = table([service('a', []), service('b', [], { namespace: 'shop' }), service('c', [])])
  cache.take({ type: 'mesh', ...t })
  assert.equal(runtime.serviceProxy?.namespaces, ['default', 'shop'])
  unlink()
  cache.take({ type: 'mesh', ...table([]) })
  assert.equal(runtime.serviceProxy?.namespaces, ['default', 'shop'])
})

test('a wildcard local listener is called on loopback; no local listener: nothing set', async () => {
  const cache = await MeshCache.load(join(dir, 'b.json'), memoryLogger())
  const runtime = new FakeRuntime()
  const options = { local: { host: '0.0.0.0', port: 0 } }
  linkServiceProxy(runtime, mesh(40124), { options, cache })
  assert.is(runtime.serviceProxy?.host, '127.0.0.1')
  const none = new FakeRuntime()
  linkServiceProxy(none, mesh(undefined), { options: { local: false }, cache })
  assert.is(none.serviceProxy, undefined)
})

test.after(() => rmSync(dir, { recursive: true, force: true }))
test.run()
