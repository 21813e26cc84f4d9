// The scheduler in the real plane (in process, plain HTTP on loopback): Nodes as objects, Pods
// created over the API; pods placed by the filters and spread across nodes, a pod that fits
// nowhere with kube-scheduler's PodScheduled message and a FailedScheduling event, placed once
// a node that fits appears; the pods/binding subresource over HTTP.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryLogger } from '../../src/core/index.ts'
import { createPlane, type Plane } from '../../src/plane/index.ts'
import { resourceByKind, type Node, type Pod, type Taint } from '../../src/api/index.ts'

const dir = mkdtempSync(join(tmpdir(), 'shoal-scheduler-'))
const NODES = resourceByKind('Node')!
let plane: Plane

test.before(async () => {
  plane = await createPlane({
    dataDir: join(dir, 'data'),
    listen: '127.0.0.1:0',
    insecureHttp: true,
    logger: process.env.DEBUG_LOG ? undefined : memoryLogger(),
  })
})

test.after(async () => {
  await plane.close()
  rmSync(dir, { recursive: true, force: true })
})

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${plane.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, json: (await res.json()) as any }
}

interface NodeSpec {
  memory?: string
  labels?: Record<string, string>
  ready?: 'True' | 'False'
  unschedulable?: boolean
  taints?: Taint[]
}

async function addNode(name: string, o: NodeSpec = {}): Promise<void> {
  const node: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/arch': 'amd64', ...o.labels },
    },
    spec: { unschedulable: o.unschedulable, taints: o.taints },
    status: {
      allocatable: { cpu: '4', memory: o.memory ?? '1Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: o.ready ?? 'True' }],
    },
  }
  await plane.objects.create(NODES, node)
}

function pod(name: string, spec: Partial<Pod['spec']> = {}, owner?: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      ...(owner && {
        ownerReferences: [
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'web', uid: owner, controller: true },
        ],
      }),
    },
    spec: { containers: [{ name: 'main', image: 'hello:1' }], ...spec },
  }
}

const getPod = async (name: string) =>
  (await call('GET', `/api/v1/namespaces/default/pods/${name}`)).json as Pod

async function until<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + 15_000
  for (;;) {
    const v = await fn()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const boundNode = (name: string) =>
  until(`${name} bound`, async () => (await getPod(name)).spec.nodeName || undefined)

test('pods are placed only on nodes that fit, and one owner spreads across them', async () => {
  await addNode('a')
  await addNode('b')
  await addNode('c')
  await addNode('cordoned', { unschedulable: true })
  await addNode('down', { ready: 'False' })
  await addNode('tainted', { taints: [{ key: 'dedicated', value: 'edge', effect: 'NoSchedule' }] })
  // an owner that exists: the garbage collector deletes pods whose owner is gone
  const owner = await call('POST', '/api/v1/namespaces/default/configmaps', {
    metadata: { name: 'web' },
  })
  for (let i = 0; i < 6; i++) {
    const r = await call(
      'POST',
      '/api/v1/namespaces/default/pods',
      pod(`web-${i}`, {}, owner.json.metadata.uid),
    )
    assert.is(r.status, 201, JSON.stringify(r.json))
  }
  const nodes: string[] = []
  for (let i = 0; i < 6; i++) nodes.push(await boundNode(`web-${i}`))
  const per = new Map<string, number>()
  for (const n of nodes) per.set(n, (per.get(n) ?? 0) + 1)
  assert.equal([...per.keys()].sort(), ['a', 'b', 'c'])
  assert.equal([...per.values()], [2, 2, 2])
  const p = await getPod('web-0')
  assert.is(p.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status, 'True')
})

test('a toleration, a node selector on the architecture and required affinity are honoured', async () => {
  await addNode('pi', { labels: { 'kubernetes.io/arch': 'arm64', site: 'barn' } })
  const arm = pod('arm', { nodeSelector: { 'kubernetes.io/arch': 'arm64' } })
  await call('POST', '/api/v1/namespaces/default/pods', arm)
  assert.is(await boundNode('arm'), 'pi')
  const tolerant = pod('tolerant', {
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'edge', effect: 'NoSchedule' }],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                { key: 'kubernetes.io/hostname', operator: 'In', values: ['tainted'] },
              ],
            },
          ],
        },
      },
    },
  })
  await call('POST', '/api/v1/namespaces/default/pods', tolerant)
  assert.is(await boundNode('tolerant'), 'tainted')
})

test('a pod that fits nowhere says why, and is placed once a node fits', async () => {
  const big = pod('big', {
    containers: [{ name: 'main', image: 'hello:1', resources: { requests: { memory: '4Gi' } } }],
  })
  await call('POST', '/api/v1/namespaces/default/pods', big)
  const want =
    '0/7 nodes are available: 1 node(s) had untolerated taint {dedicated: edge}, ' +
    '1 node(s) were not ready, 1 node(s) were unschedulable, 4 Insufficient memory.'
  const cond = await until('PodScheduled=False', async () => {
    const c = (await getPod('big')).status?.conditions?.find((c) => c.type === 'PodScheduled')
    return c?.status === 'False' ? c : undefined
  })
  assert.is(cond.reason, 'Unschedulable')
  assert.is(cond.message, want)
  const failed = await until('a FailedScheduling event', async () => {
    const list = (await call('GET', '/api/v1/namespaces/default/events')).json.items as any[]
    return list.find((e) => e.involvedObject.name === 'big' && e.reason === 'FailedScheduling')
  })
  assert.is(failed.type, 'Warning')
  assert.is(failed.message, want)
  assert.is(failed.source.component, 'default-scheduler')
  await addNode('large', { memory: '8Gi' })
  assert.is(await boundNode('big'), 'large')
  const scheduled = await until('a Scheduled event', async () => {
    const list = (await call('GET', '/api/v1/namespaces/default/events')).json.items as any[]
    return list.find((e) => e.involvedObject.name === 'big' && e.reason === 'Scheduled')
  })
  assert.is(scheduled.message, 'Successfully assigned default/big to large')
})

test('pods/binding binds a pod over the API once, as Kubernetes', async () => {
  const other = pod('manual', { schedulerName: 'someone-else' })
  await call('POST', '/api/v1/namespaces/default/pods', other)
  const path = '/api/v1/namespaces/default/pods/manual/binding'
  const binding = (node: string) => ({
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { name: 'manual' },
    target: { apiVersion: 'v1', kind: 'Node', name: node },
  })
  const missing = await call('POST', path, { ...binding('a'), target: {} })
  assert.is(missing.status, 422)
  assert.match(missing.json.message, 'target.name: Required value')
  const wrongName = await call('POST', path, { ...binding('a'), metadata: { name: 'other' } })
  assert.is(wrongName.status, 400)
  assert.match(wrongName.json.message, 'does not match the pod in the path "manual"')
  const ok = await call('POST', path, binding('b'))
  assert.is(ok.status, 201, JSON.stringify(ok.json))
  assert.is(ok.json.status, 'Success')
  const bound = await getPod('manual')
  assert.is(bound.spec.nodeName, 'b')
  assert.is(bound.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status, 'True')
  const again = await call('POST', path, binding('c'))
  assert.is(again.status, 409)
  assert.is(
    again.json.message,
    'Operation cannot be fulfilled on pods/binding "manual": pod manual is already assigned to node "b"',
  )
  const none = await call('POST', '/api/v1/namespaces/default/pods/nobody/binding', {
    ...binding('a'),
    metadata: { name: 'nobody' },
  })
  assert.is(none.status, 404)
})

test('stock kubectl binds a pod through pods/binding (create --raw), and reads the events', async () => {
  const have = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0
  if (!have) return console.log('  (kubectl not installed: skipped)')
  await call(
    'POST',
    '/api/v1/namespaces/default/pods',
    pod('by-kubectl', { schedulerName: 'none' }),
  )
  const file = join(dir, 'binding.json')
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'by-kubectl' },
      target: { kind: 'Node', name: 'c' },
    }),
  )
  // not spawnSync: the plane answering it runs in this process
  const kubectl = (...args: string[]) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((resolve) =>
      execFile('kubectl', ['--server', plane.url, ...args], (err, stdout, stderr) =>
        resolve({ status: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      ),
    )
  const path = '/api/v1/namespaces/default/pods/by-kubectl/binding'
  const r = await kubectl('create', '--raw', path, '-f', file)
  assert.is(r.status, 0, r.stderr)
  assert.is(JSON.parse(r.stdout).status, 'Success')
  assert.is((await getPod('by-kubectl')).spec.nodeName, 'c')
  const again = await kubectl('create', '--raw', path, '-f', file)
  assert.is(again.status, 1)
  assert.match(again.stderr, 'already assigned to node')
  const events = await kubectl(
    'get',
    'events',
    '-n',
    'default',
    '--field-selector',
    'reason=FailedScheduling',
  )
  assert.is(events.status, 0, events.stderr)
  assert.match(events.stdout, '0/7 nodes are available')
})

test.run()
