// The node lifecycle and Endpoints controllers in the real plane (in process, plain HTTP on
// loopback, scheduler and controllers on, no transport): Node objects and their Leases are
// written here as the transport writes them from heartbeats. A node whose Lease stops being
// renewed turns Unknown and tainted within the grace period, its pods (a ReplicaSet's) are
// evicted, recreated by the ReplicaSet controller and bound by the scheduler to the other
// Ready node; the Service's Endpoints follow.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isShoalError, memoryLogger } from '../../src/core/index.ts'
import { createPlane, type Plane } from '../../src/plane/index.ts'
import {
  resourceByKind,
  type Endpoints,
  type KubeObject,
  type Lease,
  type Node,
  type Pod,
} from '../../src/api/index.ts'

const PODS = resourceByKind('Pod')!
const NODES = resourceByKind('Node')!
const LEASES = resourceByKind('Lease', 'coordination.k8s.io')!
const RSS = resourceByKind('ReplicaSet')!
const SERVICES = resourceByKind('Service')!
const ENDPOINTS = resourceByKind('Endpoints')!
const EVENTS = resourceByKind('Event')!
const dir = mkdtempSync(join(tmpdir(), 'shoal-lifecycle-'))
let plane: Plane
const beating = new Set(['pi-1', 'pi-2'])
let timer: NodeJS.Timeout | undefined

const micro = () => new Date().toISOString().replace('Z', '000Z')
const stamp = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z')
const address = { 'pi-1': '192.0.2.1', 'pi-2': '192.0.2.2' } as Record<string, string>

const nodeObject = (name: string): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  spec: {},
  status: {
    capacity: { cpu: '4', memory: '4Gi', pods: '110' },
    allocatable: { cpu: '4', memory: '4Gi', pods: '110' },
    addresses: [{ type: 'InternalIP', address: address[name] }],
    conditions: [
      { type: 'Ready', status: 'True', lastHeartbeatTime: stamp(), lastTransitionTime: stamp() },
    ],
  },
})

async function retry<T>(fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await fn()
    } catch (err) {
      if (!isShoalError(err, 'Conflict')) throw err
    }
  }
}

/** the transport's part: each beating node's Lease renewed */
async function renewLeases(): Promise<void> {
  for (const name of beating) {
    await retry(async () => {
      const cur = (await plane.objects.get(LEASES, { namespace: 'kube-node-lease', name })) as Lease
      const next: Lease = { ...cur, spec: { ...cur.spec, renewTime: micro() } }
      await plane.objects.replace(LEASES, cur, next)
    })
  }
}

/** the agents' part: pods bound to a node become Running and Ready at its address */
async function playAgents(): Promise<void> {
  for (const p of (await plane.objects.list(PODS, {})).items as Pod[]) {
    if (!p.spec.nodeName || p.status?.podIP) continue
    const status = {
      phase: 'Running' as const,
      podIP: address[p.spec.nodeName],
      conditions: [{ type: 'Ready', status: 'True' as const, lastTransitionTime: stamp() }],
    }
    await plane.objects.replace(PODS, p, { ...p, status } as Pod).catch((err) => {
      if (!isShoalError(err, 'Conflict')) throw err
    })
  }
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000) {
  const until = Date.now() + ms
  for (;;) {
    await playAgents()
    const v = await fn()
    if (v !== undefined) return v
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const podsOn = async () =>
  ((await plane.objects.list(PODS, {})).items as Pod[])
    .filter((p) => p.status?.podIP)
    .map((p) => p.spec.nodeName)
    .sort()

test.before(async () => {
  plane = await createPlane({
    dataDir: dir,
    listen: '127.0.0.1:0',
    insecureHttp: true,
    logger: memoryLogger(),
    nodeLifecycle: { gracePeriodMs: 1500, defaultTolerationSeconds: 1 },
  })
  for (const name of beating) {
    await plane.objects.create(NODES, nodeObject(name))
    const lease: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace: 'kube-node-lease' },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: micro() },
    }
    await plane.objects.create(LEASES, lease)
  }
  timer = setInterval(() => void renewLeases().catch(() => undefined), 300)
})

test.after(async () => {
  clearInterval(timer)
  await plane.close()
  rmSync(dir, { recursive: true, force: true })
})

test("a silent node: Unknown and tainted, its ReplicaSet's pods evicted and placed on the other node; Endpoints follow", async () => {
  await plane.objects.create(RSS, {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 4,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'web', image: 'hello:1', ports: [{ name: 'http', containerPort: 8080 }] },
          ],
        },
      },
    },
  } as KubeObject)
  await plane.objects.create(SERVICES, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  } as KubeObject)
  const spread = await waitFor('4 pods spread over both nodes', async () => {
    const on = await podsOn()
    return on.length === 4 && on.includes('pi-1') && on.includes('pi-2') ? on : undefined
  })
  assert.is(spread.length, 4)
  const ips = async () => {
    const ep = (await plane.objects.get(ENDPOINTS, { namespace: 'default', name: 'web' })) as
      Endpoints | undefined
    return (ep?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort()
  }
  await waitFor('Endpoints of both nodes', async () => {
    const got = await ips()
    return got.length === 4 && new Set(got).size === 2 ? got : undefined
  })

  beating.delete('pi-1') // pi-1 goes silent
  const node = await waitFor(
    'pi-1 Unknown and tainted',
    async () => {
      const n = (await plane.objects.get(NODES, { name: 'pi-1' })) as Node
      return n.spec?.taints?.length ? n : undefined
    },
    10_000,
  )
  assert.equal(
    node.spec?.taints?.map((t) => `${t.key}:${t.effect}`),
    ['node.kubernetes.io/unreachable:NoExecute'],
  )
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')
  assert.equal([ready?.status, ready?.reason], ['Unknown', 'NodeStatusUnknown'])

  const moved = await waitFor('4 pods on pi-2 alone', async () => {
    const on = await podsOn()
    return on.length === 4 && on.every((n) => n === 'pi-2') ? on : undefined
  })
  assert.is(moved.length, 4)
  const all = (await plane.objects.list(PODS, {})).items as Pod[]
  assert.is(all.length, 4, 'the evicted pods are gone for good')
  const evictions = (
    (await plane.objects.list(EVENTS, {})).items as unknown as { reason: string }[]
  ).filter((e) => e.reason === 'TaintManagerEviction')
  assert.ok(evictions.length >= 1)
  assert.equal(
    await waitFor('Endpoints of pi-2 alone', async () => {
      const got = await ips()
      return got.length === 4 && got.every((ip) => ip === '192.0.2.2') ? got : undefined
    }),
    Array(4).fill('192.0.2.2'),
  )

  beating.add('pi-1') // back: Ready again (its heartbeat) and untainted
  await retry(async () => {
    const n = (await plane.objects.get(NODES, { name: 'pi-1' })) as Node
    const back = nodeObject('pi-1')
    await plane.objects.replace(NODES, n, { ...n, status: back.status } as Node)
  })
  await waitFor('pi-1 untainted', async () => {
    const n = (await plane.objects.get(NODES, { name: 'pi-1' })) as Node
    return n.spec?.taints?.length ? undefined : n
  })
})

test.run()
