// A component calls another Service through the mesh, on a fleet of real processes: a plane and
// two agents (127.0.0.1 and 127.0.0.2). `caller` (firmware-images/caller) runs on pi-1, the
// backend (hello-wat) only on pi-2. A GET to pi-1's local mesh for the caller asks it to fetch
// `http://backend.default/…`: its outgoing wasi:http request goes to pi-1's mesh, Host kept, which
// sends it to pi-2's mesh over mutual TLS — the answer names the backend pod that served it. The
// agent's pods have no network: a URL that is not a Service is refused inside the component. The
// caller lives in namespace shop: a bare `http://<svc>` is looked up there (Kubernetes' DNS search
// path), not in default.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { request } from 'node:http'
import { startFleet, type Fleet } from './fleet.ts'
import { meshPortsOf, meshTestArgs, pushImage } from './plane-process.ts'

const NODES = ['pi-1', 'pi-2']
const address = (node: string) => `127.0.0.${NODES.indexOf(node) + 1}`

const manifests = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: backend}}
  template:
    metadata: {labels: {app: backend}}
    spec:
      nodeSelector: {role: backend}
      containers:
      - name: main
        image: hello-wat:1
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: backend, namespace: default}
spec:
  selector: {app: backend}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: caller, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: caller}}
  template:
    metadata: {labels: {app: caller}}
    spec:
      nodeSelector: {role: caller}
      containers:
      - name: main
        image: caller:1
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: caller, namespace: shop}
spec:
  selector: {app: caller}
  ports: [{port: 80, targetPort: http}]
`

let fleet: Fleet

/** GET /call?url=<url> on the caller, through pi-1's local mesh (Host: caller.shop) */
function call(url: string): Promise<{ status: number; answer: any }> {
  const port = meshPortsOf(fleet.agents.get('pi-1')!.output())!.local!
  const path = `/call?url=${encodeURIComponent(url)}`
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers: { host: 'caller.shop' } },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (d) => (text += d))
        res.on('end', () => {
          if (!text.startsWith('{')) return reject(new Error(`${res.statusCode} ${text}`))
          resolve({ status: res.statusCode!, answer: JSON.parse(text) })
        })
      },
    )
    req.setTimeout(20_000, () => req.destroy(new Error('client timeout')))
    req.on('error', reject)
    req.end()
  })
}

test.before(async () => {
  fleet = await startFleet(NODES, {
    agentArgs: (n) => [
      ...meshTestArgs(address(n)),
      ...['--address', address(n), '--heartbeat', '500ms'],
      ...['--labels', n === 'pi-1' ? 'role=caller' : 'role=backend'],
    ],
  })
  try {
    await pushImage(fleet.call, 'hello-wat', '1')
    await pushImage(fleet.call, 'caller', '1')
  } catch (error) {
    console.error('service-calls: pushing the images failed:', error) // uvu hides before's errors
    await fleet.stop().catch(() => {}) // and runs no after hook
    throw error
  }
})

test.after(async () => {
  await fleet?.stop()
})

test('a component on pi-1 calls http://backend.default, served on pi-2 through the meshes', async () => {
  const applied = fleet.kubectl(['apply', '-f', '-'], { input: manifests })
  assert.is(applied.status, 0, applied.out)
  const first = await fleet.waitFor(
    'the caller reaching the backend',
    async () => {
      const r = await call('http://backend.default/hello').catch((e: Error) => e)
      return !(r instanceof Error) && r.status === 200 && r.answer.status === 200 && r
    },
    120_000,
  )
  const pods = await fleet.get('/api/v1/namespaces/default/pods?labelSelector=app%3Dbackend')
  const backend = pods.items[0]
  assert.is(backend.spec.nodeName, 'pi-2')
  assert.equal(first.answer, {
    status: 200,
    pod: `default/${backend.metadata.name}`,
    body: 'hello from wat: ',
  })
  for (const name of ['backend.default.svc', 'backend.default.svc.cluster.local'])
    assert.is((await call(`http://${name}/`)).answer.pod, `default/${backend.metadata.name}`)
  // the caller is in shop, which has no Service backend: a bare name is not default's
  const bare = await call('http://backend/')
  assert.equal(bare.answer, {
    status: 404,
    pod: null,
    body: 'mesh: no service shop/backend\n',
  })
})

test('the pod has no network: a name that is not a Service is refused in the component', async () => {
  const pi2 = meshPortsOf(fleet.agents.get('pi-2')!.output())!.local!
  for (const url of [`http://127.0.0.1:${pi2}/`, 'http://backend.nowhere/']) {
    const r = await call(url)
    assert.equal([r.status, r.answer], [502, { error: '{"tag":"HTTP-request-denied"}' }], url)
  }
})

test.run()
