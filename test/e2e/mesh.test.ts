// The mesh on a fleet of real processes: a plane and three agents, each on a loopback address of
// its own (127.0.0.N, so every node can listen on the same node port), two replicas of a real
// component (hello-wat) on pi-2 and pi-3 (nodeSelector role=web), none on pi-1. Requests go
// to an agent's local mesh by Host header; the answer's x-shoal-pod / x-shoal-node name who
// served it. Under a steady load of GETs through pi-1: a rolling update, a replica deleted, a
// whole agent killed with -9 — not one request fails, and once pi-3's Last Will is in pi-1's
// table pi-1 sends nothing more there; the plane killed: the mesh keeps routing. From outside,
// a ClusterIP Service is refused (403) while a NodePort Service answers on every node.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { Agent } from 'node:http'
import { join } from 'node:path'
import type { MeshTable } from '../../src/api/index.ts'
import { startFleet, type Fleet } from './fleet.ts'
import { meshGet, meshPortsOf, meshTestArgs, pushImage, type MeshAnswer } from './plane-process.ts'

const NODES = ['pi-1', 'pi-2', 'pi-3']
const address = (node: string) => `127.0.0.${NODES.indexOf(node) + 1}`

const manifests = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      nodeSelector: {role: web}
      terminationGracePeriodSeconds: 5
      containers:
      - name: main
        image: hello-wat:1
        ports: [{name: http, containerPort: 8080}]
      topologySpreadConstraints:
      - maxSkew: 1
        topologyKey: kubernetes.io/hostname
        whenUnsatisfiable: DoNotSchedule
        labelSelector: {matchLabels: {app: web}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: web-np, namespace: default}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
`

let fleet: Fleet
const ports = (node: string) => meshPortsOf(fleet.agents.get(node)!.output())!
const keepAlive = new Agent({ keepAlive: true, maxSockets: 8 })

type Answer = MeshAnswer

const get = (host: string, port: number, hostHeader: string, path = '/') =>
  meshGet(host, port, hostHeader, path, keepAlive)

/** a request to a node's local mesh */
const viaLocal = (node: string, svc = 'web', path = '/') =>
  get('127.0.0.1', ports(node).local!, svc, path)

/** GETs through pi-1's local mesh by two clients until stopped: every answer, in order */
function load() {
  const answers: (Answer & { at: number })[] = []
  let running = true
  let n = 0
  const client = async () => {
    while (running) {
      const a = await viaLocal('pi-1', 'web.default', `/r${n++}`).catch((e: Error) => ({
        status: 0,
        body: e.message,
      }))
      answers.push({ ...a, at: Date.now() })
      await new Promise((r) => setTimeout(r, 5))
    }
  }
  const clients = [client(), client()]
  return {
    answers,
    failed: () => answers.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.body}`),
    async stop() {
      running = false
      await Promise.all(clients)
    },
  }
}

/** stock kubectl without blocking this process (the load runs meanwhile) */
function kubectl(args: string[], input?: string): Promise<string> {
  const env = {
    ...process.env,
    KUBECONFIG: join(fleet.planeDir, 'admin.kubeconfig'),
    HOME: fleet.dir,
  }
  return new Promise((resolve, reject) => {
    const child = execFile('kubectl', args, { env }, (err, stdout, stderr) =>
      err ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr}`)) : resolve(stdout),
    )
    child.stdin!.end(input ?? '')
  })
}

const tableOf = (node: string): MeshTable | undefined => {
  const path = join(fleet.agents.get(node)!.dataDir, 'mesh.json')
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as MeshTable) : undefined
}

/** pod name → node of the web pods that are Ready and not being deleted */
async function readyPods(): Promise<Map<string, string>> {
  const list = await fleet.get('/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')
  const ready = new Map<string, string>()
  for (const p of list?.items ?? [])
    if (
      !p.metadata.deletionTimestamp &&
      p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')
    )
      ready.set(`default/${p.metadata.name}`, p.spec.nodeName)
  return ready
}

/** pi-1's table lists exactly these pods as ready endpoints of web */
const tableReady = (pods: Iterable<string>) => {
  const want = JSON.stringify([...pods].sort())
  return () => {
    const web = tableOf('pi-1')?.services.find((s) => s.name === 'web')
    const have = web?.endpoints.filter((e) => e.ready && !e.terminating).map((e) => e.pod)
    return JSON.stringify(have?.sort()) === want
  }
}

/** attempts pi-1's mesh sent to endpoints on `node`, from its /metrics */
async function attemptsTo(node: string): Promise<number> {
  const res = await fetch(`http://${address('pi-1')}:${ports('pi-1').metrics}/metrics`)
  let sum = 0
  for (const line of (await res.text()).split('\n'))
    if (line.startsWith('shoal_mesh_endpoint_requests_total{') && line.includes(`node="${node}"`))
      sum += Number(line.split(' ').at(-1))
  return sum
}

const count = (answers: Answer[], key: 'node' | 'pod') => {
  const seen: Record<string, number> = {}
  for (const a of answers) seen[a[key] ?? '?'] = (seen[a[key] ?? '?'] ?? 0) + 1
  return seen
}

test.before(async () => {
  // uvu reports nothing of a failed hook: say why
  fleet = await startFleet(NODES, {
    agentArgs: (n) => [
      ...meshTestArgs(address(n)),
      ...['--address', address(n), '--heartbeat', '500ms'],
      ...(n === 'pi-1' ? [] : ['--labels', 'role=web']),
    ],
  }).catch((e: Error) => {
    console.error(e.message)
    throw e
  })
  await pushImage(fleet.call, 'hello-wat', '1')
})

test.after(async () => {
  keepAlive.destroy()
  await fleet?.stop()
})

test('traffic through a node without a replica spreads over the replicas on other nodes', async () => {
  await kubectl(['apply', '-f', '-'], manifests)
  const pods = await fleet.waitFor('2 replicas ready', async () => {
    const r = await readyPods()
    return r.size === 2 && r
  })
  assert.equal([...pods.values()].sort(), ['pi-2', 'pi-3'])
  await fleet.waitFor("pi-1's table lists both", tableReady(pods.keys()))
  const answers: Answer[] = []
  for (let i = 0; i < 40; i++) answers.push(await viaLocal('pi-1'))
  assert.equal(
    answers.filter((a) => a.status !== 200),
    [],
  )
  assert.is(answers[0]!.body, 'hello from wat: ') // the request's body (none) after it
  const byNode = count(answers, 'node')
  assert.equal(Object.keys(byNode).sort(), ['pi-2', 'pi-3'], JSON.stringify(byNode))
  assert.equal(Object.keys(count(answers, 'pod')).sort(), [...pods.keys()].sort())
})

test('local first: a node with a replica serves its own clients', async () => {
  for (const node of ['pi-2', 'pi-3']) {
    await fleet.waitFor(`${node}'s table`, () =>
      tableOf(node)?.services.some((s) => s.name === 'web' && s.endpoints.length === 2),
    )
    const answers: Answer[] = []
    for (let i = 0; i < 20; i++) answers.push(await viaLocal(node, 'web.default.svc'))
    assert.equal(count(answers, 'node'), { [node]: 20 })
  }
})

test('from outside: a ClusterIP Service is refused, a NodePort Service answers on every node', async () => {
  const svc = await fleet.get('/api/v1/namespaces/default/services/web-np')
  const nodePort = svc.spec.ports[0].nodePort as number
  for (const node of NODES) {
    const pub = ports(node).public!
    const refused = await get(address(node), pub, 'web')
    assert.is(refused.status, 403, refused.body)
    assert.match(refused.body, 'not exposed outside the fleet')
    const exposed = await get(address(node), pub, 'web-np.default')
    assert.is(exposed.status, 200, exposed.body)
    await fleet.waitFor(`node port ${nodePort} on ${node}`, async () => {
      const a = await get(address(node), nodePort, 'anything')
      return a.status === 200 && a.node !== undefined
    })
  }
})

test('a rolling update under load: no request fails', async () => {
  const before = await readyPods()
  const l = load()
  await kubectl(['rollout', 'restart', 'deployment/web'])
  const after = await fleet.waitFor(
    'two new replicas ready and the old ones gone',
    async () => {
      const list = await fleet.get('/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')
      const r = await readyPods()
      const fresh = [...r.keys()].every((p) => !before.has(p))
      return list?.items.length === 2 && r.size === 2 && fresh && r
    },
    120_000,
  )
  await fleet.waitFor("pi-1's table lists the new ones", tableReady(after.keys()))
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 25))
  await l.stop()
  assert.equal(l.failed(), [])
  const last = l.answers.slice(-10).map((a) => a.pod)
  assert.ok(
    last.every((p) => after.has(p!)),
    `the last answers come from the new pods: ${last}`,
  )
  const pods = Object.keys(count(l.answers, 'pod'))
  assert.ok(pods.some((p) => before.has(p)) && pods.some((p) => after.has(p)), `${pods}`)
})

test('a replica deleted, then a whole agent killed with -9, under load: no request fails', async () => {
  const pods = await readyPods()
  const onPi2 = [...pods].find(([, n]) => n === 'pi-2')![0]
  const l = load()
  await kubectl(['delete', 'pod', onPi2.slice('default/'.length), '--wait=false'])
  const replaced = await fleet.waitFor('a new replica on pi-2', async () => {
    const r = await readyPods()
    return r.size === 2 && !r.has(onPi2) && r
  })
  await fleet.waitFor("pi-1's table lists the replacement", tableReady(replaced.keys()))
  const served = l.answers.length
  await fleet.waitFor('answers from the replacement', () =>
    l.answers.slice(served).some((a) => a.node === 'pi-2'),
  )
  await fleet.agents.get('pi-3')!.stop('SIGKILL')
  await fleet.waitFor(
    "pi-3's Last Will in pi-1's table",
    () => tableOf('pi-1')?.nodes.find((n) => n.name === 'pi-3')?.online === false,
    30_000,
  )
  const sent = await attemptsTo('pi-3')
  assert.ok(sent > 0, 'pi-1 sent to pi-3 before')
  const mark = l.answers.length
  await fleet.waitFor('100 more answers', () => l.answers.length > mark + 100)
  await l.stop()
  assert.equal(l.failed(), [])
  assert.ok(
    l.answers.some((a) => a.pod === onPi2),
    'the deleted replica served under the load',
  )
  assert.is(await attemptsTo('pi-3'), sent, 'nothing sent to pi-3 after its Last Will')
  assert.equal(count(l.answers.slice(mark), 'node'), { 'pi-2': l.answers.length - mark })
})

test('the plane killed: the mesh keeps routing', async () => {
  const plane = fleet.plane()
  plane.child.kill('SIGKILL')
  await new Promise((r) => plane.child.once('exit', r))
  const answers: Answer[] = []
  for (let i = 0; i < 20; i++) answers.push(await viaLocal('pi-1'))
  for (let i = 0; i < 20; i++) answers.push(await viaLocal('pi-2', 'web.default.svc.cluster.local'))
  assert.equal(count(answers, 'node'), { 'pi-2': 40 })
})

test.run()
