// A DaemonSet in the real plane (in process, plain HTTP on loopback, scheduler and controllers
// on, no transport) driven by the stock kubectl: Node objects are written as the transport
// writes them, pod statuses as an agent reports them (a pod bound to a node turns Running and
// Ready). kubectl apply puts one pod on each node (the scheduler binds them by their node
// affinity), a node that joins gets one, kubectl set image rolls them one node at a time until
// kubectl rollout status daemonset says so, kubectl rollout history daemonset lists the
// revisions, kubectl get ds shows the counts.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isShoalError, memoryLogger } from '../../src/core/index.ts'
import { createPlane, type Plane } from '../../src/plane/index.ts'
import { resourceByKind, type Node, type Pod } from '../../src/api/index.ts'
import { asyncKubectl, until } from './harness.ts'

const PODS = resourceByKind('Pod')!
const NODES = resourceByKind('Node')!
const haveKubectl = spawnSync('kubectl', ['version', '--client']).status === 0
const dir = mkdtempSync(join(tmpdir(), 'shoal-daemonset-'))
const { kubectl, writeKubeconfig } = asyncKubectl(dir)
let plane: Plane
let agent: NodeJS.Timeout | undefined

const stamp = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z')

const nodeObject = (name: string): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name, 'shoal.dev/sensor': 'yes' } },
  spec: {},
  status: {
    capacity: { cpu: '4', memory: '4Gi', pods: '110' },
    allocatable: { cpu: '4', memory: '4Gi', pods: '110' },
    conditions: [
      { type: 'Ready', status: 'True', lastHeartbeatTime: stamp(), lastTransitionTime: stamp() },
    ],
  },
})

/** the agents' part: a pod bound to a node turns Running and Ready */
async function playAgents(): Promise<void> {
  for (const p of (await plane.objects.list(PODS, {})).items as Pod[]) {
    if (!p.spec.nodeName || p.status?.phase === 'Running') continue
    const status = {
      ...p.status,
      phase: 'Running' as const,
      conditions: [{ type: 'Ready', status: 'True' as const, lastTransitionTime: stamp() }],
    }
    await plane.objects.replace(PODS, p, { ...p, status } as Pod).catch((err) => {
      if (!isShoalError(err, 'Conflict') && !isShoalError(err, 'NotFound')) throw err
    })
  }
}

const waitFor = <T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000) =>
  until(what, fn, { ms })

/** node=image of each running daemon pod */
const placed = async () =>
  ((await plane.objects.list(PODS, {})).items as Pod[])
    .filter((p) => p.status?.phase === 'Running')
    .map((p) => `${p.spec.nodeName}=${p.spec.containers[0].image}`)
    .sort()

const manifest = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: sensor}
spec:
  selector: {matchLabels: {app: sensor}}
  template:
    metadata: {labels: {app: sensor}}
    spec:
      nodeSelector: {shoal.dev/sensor: "yes"}
      containers: [{name: sensor, image: "sensor:1"}]
`

if (!haveKubectl) test('daemonset e2e', () => console.log('SKIPPED: no kubectl on PATH'))
else {
  test.before(async () => {
    plane = await createPlane({
      dataDir: join(dir, 'data'),
      listen: '127.0.0.1:0',
      insecureHttp: true,
      logger: memoryLogger(),
    })
    writeKubeconfig(plane.url)
    for (const name of ['pi-1', 'pi-2']) await plane.objects.create(NODES, nodeObject(name))
    agent = setInterval(() => void playAgents().catch(() => undefined), 100)
  })

  test.after(async () => {
    clearInterval(agent)
    await plane.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test('one pod per node, a new node gets its own, set image rolls out, history, get ds', async () => {
    writeFileSync(join(dir, 'ds.yaml'), manifest)
    await kubectl('apply', '-f', join(dir, 'ds.yaml'))
    const two = ['pi-1=sensor:1', 'pi-2=sensor:1']
    assert.equal(
      await waitFor('a pod on each node', async () => {
        const got = await placed()
        return got.join() === two.join() ? got : undefined
      }),
      two,
    )
    await plane.objects.create(NODES, nodeObject('pi-3'))
    await waitFor('a pod on the new node', async () =>
      (await placed()).includes('pi-3=sensor:1') ? true : undefined,
    )
    const status = await kubectl('rollout', 'status', 'daemonset/sensor', '--timeout=60s')
    assert.match(status, 'daemon set "sensor" successfully rolled out')

    await kubectl('set', 'image', 'daemonset/sensor', 'sensor=sensor:2')
    const rolled = await kubectl('rollout', 'status', 'daemonset/sensor', '--timeout=60s')
    assert.match(rolled, 'daemon set "sensor" successfully rolled out')
    assert.equal(await placed(), ['pi-1=sensor:2', 'pi-2=sensor:2', 'pi-3=sensor:2'])

    const history = await kubectl('rollout', 'history', 'daemonset/sensor')
    assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/)
    const rev1 = await kubectl('rollout', 'history', 'daemonset/sensor', '--revision=1')
    assert.match(rev1, 'sensor:1')

    const table = await kubectl('get', 'ds', 'sensor')
    const [head, row] = table.trim().split('\n')
    assert.equal(head.split(/\s{2,}/), [
      'NAME',
      'DESIRED',
      'CURRENT',
      'READY',
      'UP-TO-DATE',
      'AVAILABLE',
      'NODE SELECTOR',
      'AGE',
    ])
    assert.equal(row.split(/\s+/).slice(0, 7), [
      'sensor',
      '3',
      '3',
      '3',
      '3',
      '3',
      'shoal.dev/sensor=yes',
    ])
    const pods = JSON.parse(await kubectl('get', 'pods', '-o', 'json')).items as Pod[]
    assert.ok(pods.every((p) => p.metadata.labels?.['pod-template-generation'] === '2'))
    const revisions = await kubectl('get', 'controllerrevisions')
    assert.match(revisions, /sensor-\S+\s+daemonset\.apps\/sensor\s+2/)
  })

  test.run()
}
