// Several planes on one etcd (issue 17): two `shoal plane` processes on a real etcd, each serving
// the API, one elected to run the scheduler and controllers. Under load (a Deployment scaled over
// and over, new Deployments created) the leader is killed with SIGKILL; the other plane takes
// over once the dead leader's lease runs out (the time is printed), every Deployment reaches
// its replicas with no pod left over, and no pod was scheduled twice. The nodes are played by
// the test through the API (Node objects, pods made Running and Ready, deleted pods let go), as
// the plane is what is under test: with --insecure-http the planes run no node channel.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { skipFileWithout } from '../peers.ts'
import { etcdPresent, ETCD_BIN, startEtcd, type TestEtcd } from '../store/etcd-server.ts'
import { startPlane, type PlaneProcess } from './plane-process.ts'

skipFileWithout(import.meta.url, 'etcd', etcdPresent, `apt-get install etcd-server (${ETCD_BIN})`)

const LEASE_SECONDS = 6
const NODES = ['ha-1', 'ha-2', 'ha-3']
const dir = mkdtempSync(join(tmpdir(), 'shoal-ha-'))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const stamp = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z')

interface Obj {
  metadata: {
    name: string
    uid?: string
    namespace?: string
    deletionTimestamp?: string
    ownerReferences?: { kind: string; name: string }[]
    resourceVersion?: string
  }
  spec?: Record<string, unknown> & { nodeName?: string; replicas?: number }
  status?: Record<string, unknown> & {
    phase?: string
    readyReplicas?: number
    conditions?: { type: string; status: string }[]
  }
  involvedObject?: { uid?: string; name?: string }
  reason?: string
  count?: number
}

/** a connection reset before the answer (a kept-alive socket the server closed) is tried again:
 * every call here may be repeated (a repeated create answers 409, taken as created) */
let retried = 0
async function fetchRetried(url: string, init: RequestInit): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init)
    } catch (err) {
      if (attempt >= 3) throw err
      retried++
      await sleep(200)
    }
  }
}

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Obj & { items?: Obj[] } }> {
  const res = await fetchRetried(`${base}${path}`, {
    method,
    headers: body
      ? {
          'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json',
        }
      : {},
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, json: text ? JSON.parse(text) : {} }
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 90_000) {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn().catch(() => undefined)
    if (v !== undefined && v !== false) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

const deployment = (name: string, replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [{ name: 'app', image: 'hello:v1', resources: { requests: { cpu: '10m' } } }],
      },
    },
  },
})

async function addNode(base: string, name: string): Promise<void> {
  const created = await call(base, 'POST', '/api/v1/nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  })
  assert.is(created.status, 201, JSON.stringify(created.json))
  const node = created.json
  const status = await call(base, 'PUT', `/api/v1/nodes/${name}/status`, {
    ...node,
    status: {
      capacity: { cpu: '8', memory: '8Gi', pods: '110' },
      allocatable: { cpu: '8', memory: '8Gi', pods: '110' },
      conditions: [
        { type: 'Ready', status: 'True', lastHeartbeatTime: stamp(), lastTransitionTime: stamp() },
      ],
    },
  })
  assert.is(status.status, 200, JSON.stringify(status.json))
}

/** the nodes' part: bound pods Running and Ready, pods being deleted let go */
async function playNodes(base: string): Promise<void> {
  const { json } = await call(base, 'GET', '/api/v1/namespaces/default/pods')
  for (const p of json.items ?? []) {
    const name = p.metadata.name
    if (p.metadata.deletionTimestamp) {
      await call(base, 'DELETE', `/api/v1/namespaces/default/pods/${name}?gracePeriodSeconds=0`)
      continue
    }
    if (!p.spec?.nodeName || p.status?.phase === 'Running') continue
    await call(base, 'PUT', `/api/v1/namespaces/default/pods/${name}/status`, {
      ...p,
      status: {
        ...p.status,
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: stamp() }],
      },
    })
  }
}

async function holder(base: string): Promise<string | undefined> {
  const r = await call(
    base,
    'GET',
    '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/shoal-controller-manager',
  )
  return r.status === 200 ? (r.json.spec?.holderIdentity as string | undefined) : undefined
}

test('the leader killed under load: the other plane takes over, every Deployment reaches its replicas, nothing scheduled twice', async () => {
  let etcd: TestEtcd | undefined
  const planes: Record<string, PlaneProcess> = {}
  let playing = true
  let player: Promise<void> | undefined
  try {
    etcd = await startEtcd()
    const store = `${etcd.url}/ha`
    for (const name of ['plane-a', 'plane-b'])
      planes[name] = await startPlane(join(dir, name), {
        insecureHttp: true,
        args: [
          '--store',
          store,
          '--leader-elect',
          '--leader-elect-identity',
          name,
          '--leader-elect-lease-duration',
          `${LEASE_SECONDS}s`,
          '--node-monitor-grace-period',
          '10m', // the test's nodes send no heartbeats
        ],
      })
    const leader = await until('a leader', () => holder(planes['plane-a'].url))
    const survivorName = leader === 'plane-a' ? 'plane-b' : 'plane-a'
    const survivor = planes[survivorName].url
    assert.is(await holder(survivor), leader, 'both planes serve the same Lease')
    for (const n of NODES) await addNode(survivor, n)
    player = (async () => {
      while (playing) {
        await playNodes(survivor).catch(() => undefined)
        await sleep(200)
      }
    })()

    // load through the plane that stays: a Deployment scaled up and down, new ones created
    const replicas: Record<string, number> = { web: 4 }
    assert.is(
      (
        await call(
          survivor,
          'POST',
          '/apis/apps/v1/namespaces/default/deployments',
          deployment('web', 4),
        )
      ).status,
      201,
    )
    let loading = true
    let created = 0
    const load = (async () => {
      for (let i = 0; loading; i++) {
        const n = 2 + (i % 7)
        const r = await call(
          survivor,
          'PATCH',
          '/apis/apps/v1/namespaces/default/deployments/web',
          {
            spec: { replicas: n },
          },
        )
        if (r.status === 200) replicas.web = n
        if (i % 4 === 0 && created < 6) {
          const name = `load-${created++}`
          const c = await call(
            survivor,
            'POST',
            '/apis/apps/v1/namespaces/default/deployments',
            deployment(name, 2),
          )
          assert.ok(c.status === 201 || c.status === 409, JSON.stringify(c.json))
          replicas[name] = 2
        }
        await sleep(250)
      }
    })()
    await sleep(2_000)
    const killedAt = Date.now()
    planes[leader].child.kill('SIGKILL')
    await new Promise((r) => planes[leader].child.once('exit', r))
    const took = await until('the survivor to lead', async () => {
      const h = await holder(survivor)
      return h === survivorName && Date.now() - killedAt
    })
    console.log(
      `  takeover: ${survivorName} leads ${took} ms after ${leader} was killed (lease ${LEASE_SECONDS} s)`,
    )
    await sleep(2_000) // more load on the new leader
    loading = false
    await load
    assert.is(planes[survivorName].child.exitCode, null, planes[survivorName].output())
    const settledFrom = Date.now()

    // settled: each Deployment's pods are exactly its replicas, all bound and Ready
    await until('every Deployment at its replicas, no pod over', async () => {
      const pods = (await call(survivor, 'GET', '/api/v1/namespaces/default/pods')).json.items!
      for (const [name, want] of Object.entries(replicas)) {
        const own = pods.filter((p) => p.metadata.name.startsWith(`${name}-`))
        const live = own.filter((p) => !p.metadata.deletionTimestamp)
        if (own.length !== want || live.length !== want) return false
        if (!live.every((p) => p.spec?.nodeName && p.status?.phase === 'Running')) return false
        const d = await call(
          survivor,
          'GET',
          `/apis/apps/v1/namespaces/default/deployments/${name}`,
        )
        if (d.json.status?.readyReplicas !== want) return false
      }
      return true
    })
    console.log(
      `  settled ${Date.now() - settledFrom} ms after the load stopped; ${retried} calls tried again after a reset`,
    )

    // one ReplicaSet a Deployment (the template never changed), none with pods beyond its own
    const rss = (await call(survivor, 'GET', '/apis/apps/v1/namespaces/default/replicasets')).json
      .items!
    for (const name of Object.keys(replicas)) {
      const own = rss.filter((r) => r.metadata.ownerReferences?.some((o) => o.name === name))
      assert.is(own.length, 1, `${name}: one ReplicaSet`)
      assert.is(own[0].spec?.replicas, replicas[name], `${name}: its ReplicaSet at the replicas`)
    }
    // no pod was scheduled twice: one Scheduled event a pod, once (binding is conditional)
    const events = (await call(survivor, 'GET', '/api/v1/namespaces/default/events')).json.items!
    const scheduled = new Map<string, number>()
    for (const e of events.filter((e) => e.reason === 'Scheduled')) {
      const uid = e.involvedObject?.uid ?? e.involvedObject?.name ?? ''
      scheduled.set(uid, (scheduled.get(uid) ?? 0) + (e.count ?? 1))
    }
    const twice = [...scheduled].filter(([, n]) => n > 1)
    assert.equal(twice, [], 'no pod scheduled twice')
    assert.ok(scheduled.size >= Object.values(replicas).reduce((a, b) => a + b, 0))
    assert.match(planes[survivorName].output(), /became the leader/)
  } finally {
    playing = false
    await player
    for (const p of Object.values(planes)) {
      if (p.child.exitCode === null && p.child.signalCode === null) await p.stop()
    }
    await etcd?.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
