// The fleet as a user drives it: one plane and three agents in processes of their own (own data
// dirs, each mesh on ports of its own), and only the `shoal` CLI (a child process), stock kubectl
// and HTTP to the meshes. A context written with `shoal config`, read by kubectl too; the two
// versions of one app pushed with `shoal image push`; a Deployment (3 replicas) and a Service
// applied, answering through the mesh of every node; scaled; rolled out to v2 under a steady load
// without one failed request (rollout history --revision as kubectl prints it); an agent killed
// with -9 — its replicas replaced on the others while the load goes on; the plane restarted —
// the same objects; two nodes drained, by stock kubectl and by shoal (pods/eviction), the load
// going on; logs read; everything deleted — gone.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { Agent } from 'node:http'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { skipFileWithout } from '../peers.ts'
import { haveKubectl, startFleet, type Fleet } from './fleet.ts'
import { meshGet, meshPortsOf, type MeshAnswer } from './plane-process.ts'

skipFileWithout(import.meta.url, 'kubectl', haveKubectl, 'install stock kubectl')

const NODES = ['pi-1', 'pi-2', 'pi-3']
const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url))
const build = fileURLToPath(new URL('../../firmware-images/.build', import.meta.url))
let fleet: Fleet
let kubeconfig = ''
let manifestFile = ''
const keepAlive = new Agent({ keepAlive: true, maxSockets: 8 })

const manifests = (replicas: number, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: main
        image: ${image}
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
`

interface Ran {
  code: number | null
  out: string
  err: string
}

/** `shoal ARGS` as a child process with the test's kubeconfig (never blocks the load) */
function shoal(args: string[], stdin = ''): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
      env: { ...process.env, KUBECONFIG: kubeconfig, HOME: fleet.dir },
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    child.on('close', (code) => resolve({ code, out, err }))
    child.stdin.end(stdin)
  })
}

/** `shoal ARGS` that must succeed: its stdout */
async function ok(...args: string[]): Promise<string> {
  const r = await shoal(args)
  assert.is(r.code, 0, `shoal ${args.join(' ')}: ${r.err}`)
  return r.out
}

/** stock kubectl on the same kubeconfig file */
const kubectl = (...args: string[]) => fleet.kubectl(['--kubeconfig', kubeconfig, ...args]).stdout

type Answer = MeshAnswer

/** GET through a node's local mesh with the Service's name as Host */
const viaMesh = (node: string, path = '/'): Promise<Answer> =>
  meshGet(
    '127.0.0.1',
    meshPortsOf(fleet.agents.get(node)!.output())!.local!,
    'web.default',
    path,
    keepAlive,
  )

/** GETs through the meshes of `nodes` by two clients each until stopped: every answer */
function load(nodes: string[]) {
  const answers: Answer[] = []
  let running = true
  let n = 0
  const client = async (node: string) => {
    while (running) {
      const a = await viaMesh(node, `/r${n++}`).catch((e: Error) => ({
        status: 0,
        body: `${node}: ${e.message}`,
      }))
      answers.push(a)
      await new Promise((r) => setTimeout(r, 5))
    }
  }
  const clients = nodes.flatMap((node) => [client(node), client(node)])
  return {
    answers,
    failed: () => answers.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.body}`),
    async stop() {
      running = false
      await Promise.all(clients)
    },
  }
}

interface PodRow {
  name: string
  uid: string
  node: string
  ready: boolean
  terminating: boolean
  image: string
}

/** the web pods as `shoal get pods -l app=web -o json` lists them */
async function pods(): Promise<PodRow[]> {
  const list = JSON.parse(await ok('get', 'pods', '-l', 'app=web', '-o', 'json'))
  return list.items.map((p: any) => ({
    name: p.metadata.name,
    uid: p.metadata.uid,
    node: p.spec.nodeName,
    ready: !!p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'),
    terminating: !!p.metadata.deletionTimestamp,
    image: p.spec.containers[0].image,
  }))
}

/** exactly n web pods, all ready and of `image`, none terminating */
const settled = (n: number, image: string) => async () => {
  const all = await pods()
  const good = all.filter((p) => p.ready && !p.terminating && p.image === image)
  return all.length === n && good.length === n && good
}

/** every node in `nodes` answers through its mesh from `image`'s pods only */
const meshesAnswer = (nodes: string[], body: string) => async () => {
  for (const node of nodes)
    for (let i = 0; i < 6; i++) {
      const a = await viaMesh(node)
      if (a.status !== 200 || a.body !== body) return false
    }
  return true
}

test.before(async () => {
  fleet = await startFleet(NODES, { agentArgs: () => ['--heartbeat', '500ms'] }).catch(
    (e: Error) => {
      console.error(e.message) // uvu says nothing of a failed hook
      throw e
    },
  )
  kubeconfig = join(fleet.dir, 'kubeconfig')
  manifestFile = join(fleet.dir, 'web.yaml')
})

test.after(async () => {
  keepAlive.destroy()
  await fleet?.stop()
})

test('a context written by shoal config: shoal and stock kubectl both use it', async () => {
  const url = fleet.plane().url
  const ca = join(fleet.planeDir, 'pki', 'ca.crt')
  await ok('config', 'set-cluster', 'fleet', '--server', url, '--certificate-authority', ca)
  await ok('config', 'set-credentials', 'e2e', '--token', fleet.admin)
  await ok('config', 'set-context', 'fleet', '--cluster', 'fleet', '--user', 'e2e')
  await ok('config', 'set-context', 'fleet', '--namespace', 'default')
  assert.is(await ok('config', 'use-context', 'fleet'), 'Switched to context "fleet".\n')
  assert.is(await ok('config', 'current-context'), 'fleet\n')
  const nodes = await ok('get', 'nodes')
  for (const n of NODES) assert.match(nodes, new RegExp(`^${n}\\s+Ready\\s`, 'm'))
  const k = kubectl('get', 'nodes', '--no-headers')
  for (const n of NODES) assert.match(k, new RegExp(`^${n}\\s+Ready\\s`, 'm'))
})

test('shoal image push: the two versions of one app', async () => {
  const v1 = await ok('image', 'push', join(build, 'hello-wat.wasm'), 'hello-wat:v1')
  const v2 = await ok('image', 'push', join(build, 'hello-wat-v2.wasm'), 'hello-wat:v2')
  assert.match(v1, /sha256:[0-9a-f]{64}/)
  assert.match(v2, /sha256:[0-9a-f]{64}/)
  await ok('image', 'push', join(build, 'crasher.wasm'), 'crasher:1')
  const ls = await ok('image', 'ls')
  for (const tag of ['v1', 'v2']) assert.match(ls, new RegExp(`^hello-wat\\s+${tag}\\s`, 'm'))
  assert.match(ls, /^crasher\s+1\s/m)
})

test('apply -f: 3 replicas, one a node, answering through the mesh of each node', async () => {
  writeFileSync(manifestFile, manifests(3, 'hello-wat:v1'))
  const applied = await ok('apply', '-f', manifestFile)
  assert.is(applied, 'deployment.apps/web created\nservice/web created\n')
  const status = await ok('rollout', 'status', 'deployment/web', '--timeout', '120s')
  assert.match(status, 'deployment "web" successfully rolled out')
  const three = await fleet.waitFor('3 ready pods', settled(3, 'hello-wat:v1'))
  assert.equal(three.map((p) => p.node).sort(), NODES)
  const wide = await ok('get', 'pods', '-o', 'wide')
  for (const p of three)
    assert.match(
      wide,
      new RegExp(`^${p.name}\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+\\S+\\s+${p.node}`, 'm'),
    )
  assert.match(kubectl('get', 'deploy', 'web', '--no-headers'), /^web\s+3\/3\s+3\s+3\s/)
  await fleet.waitFor('every mesh answers', meshesAnswer(NODES, 'hello from wat: '))
  for (const node of NODES) {
    const answers: Answer[] = []
    for (let i = 0; i < 12; i++) answers.push(await viaMesh(node))
    assert.equal(
      answers.filter((a) => a.status !== 200),
      [],
    )
    // local first: a node with a replica serves its own clients
    assert.equal([...new Set(answers.map((a) => a.node))], [node])
  }
})

test('shoal scale: 3 → 4', async () => {
  assert.is(await ok('scale', 'deployment/web', '--replicas=4'), 'deployment.apps/web scaled\n')
  await fleet.waitFor('4 ready pods', settled(4, 'hello-wat:v1'))
  await fleet.waitFor('shoal get deploy: 4/4', async () =>
    /^web\s+4\/4\s+4\s+4\s/m.test(await ok('get', 'deploy', 'web')),
  )
})

test('a rollout to v2 under a steady load: not one request fails', async () => {
  const l = load(['pi-1', 'pi-2'])
  writeFileSync(manifestFile, manifests(4, 'hello-wat:v2'))
  assert.is(
    await ok('apply', '-f', manifestFile),
    'deployment.apps/web configured\nservice/web unchanged\n',
  )
  const status = await ok('rollout', 'status', 'deployment/web', '--timeout', '180s')
  assert.match(status, 'deployment "web" successfully rolled out')
  await fleet.waitFor('4 ready v2 pods, the old gone', settled(4, 'hello-wat:v2'), 120_000)
  await fleet.waitFor('only v2 answers', meshesAnswer(NODES, 'hello again v2: '))
  const mark = l.answers.length
  await fleet.waitFor('50 more answers', () => l.answers.length > mark + 50)
  await l.stop()
  assert.equal(l.failed(), [])
  const bodies = new Set(l.answers.map((a) => a.body))
  assert.equal([...bodies].sort(), ['hello again v2: ', 'hello from wat: '])
  const history = await ok('rollout', 'history', 'deployment/web')
  assert.match(history, /^REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n$/m)
  const two = await ok('rollout', 'history', 'deployment/web', '--revision', '2')
  assert.match(two, /^deployment.apps\/web with revision #2\nPod Template:\n/)
  assert.match(two, '\n    Image:\thello-wat:v2\n')
  assert.is(two, kubectl('rollout', 'history', 'deployment/web', '--revision=2'))
})

test('kill -9 an agent under load: its replicas replaced on the others, traffic goes on', async () => {
  const before = await pods()
  const lost = before.filter((p) => p.node === 'pi-3').map((p) => p.name)
  assert.ok(lost.length > 0, JSON.stringify(before))
  const l = load(['pi-1', 'pi-2'])
  await fleet.agents.get('pi-3')!.stop('SIGKILL')
  await fleet.waitFor('pi-3 NotReady', async () =>
    /^pi-3\s+NotReady\s/m.test(await ok('get', 'nodes')),
  )
  const replaced = await fleet.waitFor(
    '4 ready pods on pi-1 and pi-2',
    async () => {
      const live = (await pods()).filter((p) => !p.terminating)
      const ready = live.filter((p) => p.ready && p.node !== 'pi-3')
      return live.length === 4 && ready.length === 4 && ready
    },
    120_000,
  )
  assert.ok(replaced.every((p) => !lost.includes(p.name)))
  const mark = l.answers.length
  await fleet.waitFor('100 more answers', () => l.answers.length > mark + 100)
  await l.stop()
  assert.equal(l.failed(), [])
  assert.ok(l.answers.slice(mark).every((a) => a.node !== 'pi-3'))

  // it comes back: its stale copies stop, the fleet is whole again
  fleet.startAgent('pi-3', ['--heartbeat', '500ms'])
  await fleet.waitFor('pi-3 Ready', async () => /^pi-3\s+Ready\s/m.test(await ok('get', 'nodes')))
  await fleet.waitFor('4 pods, none terminating', settled(4, 'hello-wat:v2'))
})

test('the plane restarted: nothing lost', async () => {
  const objects = async () => {
    const list = JSON.parse(await ok('get', 'deployments,replicasets,services,pods', '-o', 'json'))
    return list.items
      .map((o: any) => `${o.kind}/${o.metadata.name} ${o.metadata.uid}`)
      .sort()
      .join('\n')
  }
  const before = await objects()
  assert.match(before, /^Deployment\/web /m)
  assert.match(before, /^Service\/web /m)
  await fleet.restartPlane()
  assert.is(await objects(), before)
  assert.match(await ok('get', 'deploy', 'web'), /^web\s+4\/4\s+4\s+4\s/m)
  assert.match(kubectl('get', 'svc', 'web', '--no-headers'), /^web\s+ClusterIP\s/)
  await fleet.waitFor('every node Ready', async () => {
    const nodes = await ok('get', 'nodes')
    return NODES.every((n) => new RegExp(`^${n}\\s+Ready\\s`, 'm').test(nodes))
  })
  await fleet.waitFor('every mesh answers', meshesAnswer(NODES, 'hello again v2: '))
})

test('drain: stock kubectl drain, then shoal drain under load, evict the replicas elsewhere', async () => {
  const drained = kubectl('drain', 'pi-2', '--ignore-daemonsets', '--timeout=50s')
  assert.match(drained, /^node\/pi-2 cordoned\n/)
  assert.match(drained, /\npod\/web-\S+ evicted\n/)
  assert.match(drained, /node\/pi-2 drained\n$/)
  await fleet.waitFor('4 ready pods, none on pi-2', async () => {
    const r = await settled(4, 'hello-wat:v2')()
    return r && r.every((p) => p.node !== 'pi-2')
  })
  const l = load(['pi-1', 'pi-2'])
  const r = await shoal(['drain', 'pi-3', '--ignore-daemonsets'])
  assert.is(r.code, 0, r.err)
  assert.match(r.out, /^node\/pi-3 cordoned\n(pod\/web-\S+ evicted\n)+node\/pi-3 drained\n$/)
  const onPi1 = await fleet.waitFor('4 ready pods, all on pi-1', async () => {
    const p = await settled(4, 'hello-wat:v2')()
    return p && p.every((x) => x.node === 'pi-1') && p
  })
  assert.is(onPi1.length, 4)
  await fleet.waitFor('every mesh answers', meshesAnswer(NODES, 'hello again v2: '))
  await l.stop()
  assert.equal(l.failed(), [])
  assert.match(await ok('get', 'nodes'), /^pi-3\s+Ready,SchedulingDisabled\s/m)
  assert.is(await ok('uncordon', 'pi-2', 'pi-3'), 'node/pi-2 uncordoned\nnode/pi-3 uncordoned\n')
  const nodes = kubectl('get', 'nodes', '--no-headers')
  for (const n of NODES) assert.match(nodes, new RegExp(`^${n}\\s+Ready\\s`, 'm'))
})

test('shoal logs: what a component printed', async () => {
  const pod = `apiVersion: v1
kind: Pod
metadata: {name: talker}
spec:
  containers:
  - name: main
    image: crasher:1
    env: [{name: CRASH_AFTER_MS, value: "600000"}]
`
  assert.is((await shoal(['apply', '-f', '-'], pod)).out, 'pod/talker created\n')
  const logs = await fleet.waitFor(
    'the line crasher printed',
    async () => {
      const r = await shoal(['logs', 'talker'])
      return r.code === 0 && r.out.includes('crasher: started') && r.out
    },
    120_000,
  )
  assert.match(logs, 'crasher: started')
  assert.match(kubectl('logs', 'talker'), 'crasher: started')
})

test('shoal delete: everything gone, no mesh answers', async () => {
  const r = await ok('delete', '-f', manifestFile)
  assert.is(r, 'deployment.apps "web" deleted\nservice "web" deleted\n')
  assert.is(await ok('delete', 'pod', 'talker'), 'pod "talker" deleted\n')
  await fleet.waitFor(
    'no pods, ReplicaSets or Deployments',
    async () => {
      const r = await shoal(['get', 'deployments,replicasets,pods'])
      return r.code === 0 && r.out === '' && r.err === 'No resources found in default namespace.\n'
    },
    120_000,
  )
  assert.not.match(await ok('get', 'services', '-o', 'name'), 'service/web')
  assert.is(kubectl('get', 'pods', '-o', 'name'), '')
  await fleet.waitFor('no mesh serves web', async () => {
    for (const node of NODES) if ((await viaMesh(node)).status === 200) return false
    return true
  })
})

test.run()
