// The mesh hands requests for this node's handler pods to the runtime in process (no loopback TCP
// hop): a real runtime running hello-wat (a handler), a real mesh with the agent's dispatcher.
// Other endpoints (here a plain node:http backend) still go over HTTP.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createMesh, type Mesh } from '../../src/mesh/index.ts'
import {
  backend,
  endpoint,
  get,
  service,
  table,
  type Backend,
} from '../../src/mesh/mesh-fixture.ts'
import { localDispatcher, type LocalDispatcher } from '../../src/node-agent/local-dispatch.ts'
import { createRuntime, type Runtime } from '../../src/wasm-runtime/index.ts'
import { fixture } from '../wasm-runtime/images.ts'

const f = fixture()
let runtime: Runtime | undefined
let mesh: Mesh | undefined
let plain: Backend | undefined
let dispatcher: LocalDispatcher | undefined
let local = 0

test.before(async () => {
  runtime = createRuntime({ cacheDir: f.cacheDir, logDir: f.logDir })
  await runtime.start(f.spec('h1', 'hello-wat', 'handler'))
  plain = await backend('plain')
  dispatcher = localDispatcher(runtime)
  mesh = createMesh({ nodeName: 'n1', local: { port: 0 }, dispatchLocal: dispatcher.dispatch })
  local = (await mesh.start()).local!
  const port = Number(new URL(runtime.url('h1')!).port)
  await mesh.setTable(
    table([
      service('hello', [endpoint('h1', 'n1', port)]),
      service('plain', [endpoint('p1', 'n1', plain.port)]),
    ]),
  )
})

test.after(async () => {
  dispatcher?.stop()
  await mesh?.stop()
  await runtime?.close()
  await plain?.close()
  f.cleanup()
})

test("a handler pod's request is handed over in process, bodies streamed or buffered", async () => {
  const post = await get(local, 'hello', { method: 'POST', body: 'streamed' })
  assert.equal([post.status, post.body], [200, 'hello from wat: streamed'])
  assert.is(post.headers['content-type'], 'application/octet-stream')
  assert.is(post.headers['x-shoal-pod'], 'default/h1')
  assert.is(post.headers['x-shoal-node'], 'n1')
  assert.ok(String(post.headers.via).endsWith('n1'))
  // an idempotent request with a small body is buffered by the mesh (for a retry) first
  const put = await get(local, 'hello', { method: 'PUT', body: 'buffered' })
  assert.equal([put.status, put.body], [200, 'hello from wat: buffered'])
  const bare = await get(local, 'hello')
  assert.equal([bare.status, bare.body], [200, 'hello from wat: '])
  assert.is(dispatcher!.handed, 3)
  assert.equal(
    mesh!.serviceStats().find((s) => s.name === 'hello'),
    { namespace: 'default', name: 'hello', requests: 3, errors: 0 },
  )
  assert.is((await runtime!.stats('h1')).requests, 3, 'the instance counted them')
})

test('an endpoint that is no handler instance goes over HTTP', async () => {
  const before = dispatcher!.handed
  const a = await get(local, 'plain', { path: '/x' })
  assert.equal([a.status, a.body], [200, 'plain GET /x'])
  assert.is(dispatcher!.handed, before)
})

test('a stopped instance is no handler any more: nothing is handed over', async () => {
  await runtime!.stop('h1')
  assert.is(runtime!.handler!('h1'), undefined)
  const before = dispatcher!.handed
  const a = await get(local, 'hello')
  assert.ok(a.status >= 500, `over HTTP to a closed port: ${a.status}`)
  assert.is(dispatcher!.handed, before)
})

test.run()
