// Several planes share the nodes (issue 17): three `shoal plane` processes on a real etcd and a
// real Mosquitto (a login each: `shoal broker-config --planes 3`), two real agents whose names
// are picked so that two different followers serve them (rendezvous hashing over the live
// planes: plane/leader's ownerOf). Shown by each node's Lease (annotation shoal.dev/served-by,
// written by the plane that handles its heartbeats). Then one serving follower is killed with
// SIGKILL while pods are being created: its node's Lease is renewed by another plane, the pods
// on it keep running and the new ones run, and its pods' logs (API and stock kubectl) and its
// usage come through the other follower, which does not serve that node.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, watch } from 'node:fs'
import type { FSWatcher } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { skipFileWithout } from '../peers.ts'
import { etcdPresent, ETCD_BIN, startEtcd, type TestEtcd } from '../store/etcd-server.ts'
import { MOSQUITTO, startMosquitto, type Mosquitto } from '../transport/mosquitto.ts'
import { haveKubectl } from './fleet.ts'
import {
  meshTestArgs,
  planeCaller,
  pushImage,
  startPlane,
  type PlaneProcess,
} from './plane-process.ts'
import { ownerOf } from '../../src/plane/leader/index.ts'

skipFileWithout(import.meta.url, 'etcd', etcdPresent, `apt-get install etcd-server (${ETCD_BIN})`)
skipFileWithout(import.meta.url, 'mosquitto', existsSync(MOSQUITTO), 'apt-get install mosquitto')
skipFileWithout(import.meta.url, 'kubectl', haveKubectl, 'install stock kubectl')

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url))
const SERVED_BY = 'shoal.dev/served-by'
const names = ['plane-a', 'plane-b', 'plane-c'] as const
type Name = (typeof names)[number]
const dir = mkdtempSync(join(tmpdir(), 'shoal-ha-shard-'))
const planeDir = (name: string) => join(dir, name)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
let etcd: TestEtcd | undefined
let mq: Mosquitto | undefined
let reloads: FSWatcher | undefined
const planes: Partial<Record<Name, PlaneProcess>> = {}
const agents: { name: string; child: ChildProcess; out: string }[] = []
let ca = ''
let admin = ''

function shoal(...args: string[]): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`shoal ${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

const callerOf = (name: Name) => planeCaller(() => ({ url: planes[name]!.url, ca, token: admin }))

function outputs(): string {
  return [
    ...agents.map((a) => `agent ${a.name}:\n${a.out.slice(-3000)}`),
    ...Object.entries(planes).map(([n, p]) => `${n}:\n${p!.output().slice(-4000)}`),
  ].join('\n')
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 120_000) {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn().catch(() => undefined)
    if (v !== undefined && v !== false) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${outputs()}`)
    await sleep(250)
  }
}

async function getJson(via: Name, path: string) {
  const r = await callerOf(via)('GET', path)
  return r.status === 200 ? JSON.parse(r.text) : undefined
}

const leaseOf = (via: Name, node: string) =>
  getJson(via, `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${node}`)

async function servedBy(via: Name, node: string): Promise<string | undefined> {
  return (await leaseOf(via, node))?.metadata?.annotations?.[SERVED_BY]
}

const phase = async (via: Name, pod: string) =>
  (await getJson(via, `/api/v1/namespaces/default/pods/${pod}`))?.status?.phase as
    string | undefined

const podJson = (name: string, node: string) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      nodeName: node,
      containers: [
        {
          name: 'main',
          image: 'crasher:1',
          env: [{ name: 'CRASH_AFTER_MS', value: '600000' }],
        },
      ],
    },
  })

function kubectl(via: Name, ...args: string[]): { status: number; out: string } {
  const kc = join(planeDir('plane-a'), 'admin.kubeconfig')
  const r = spawnSync(
    'kubectl',
    ['--kubeconfig', kc, '--server', planes[via]!.url, '--token', admin, ...args],
    { encoding: 'utf8' },
  )
  return { status: r.status ?? 1, out: r.stdout + r.stderr }
}

async function cleanup(): Promise<void> {
  reloads?.close()
  for (const a of agents) a.child.kill('SIGKILL')
  for (const p of Object.values(planes))
    if (p!.child.exitCode === null && p!.child.signalCode === null) await p!.stop()
  await mq?.stop()
  await etcd?.stop()
  rmSync(dir, { recursive: true, force: true })
}

test.before(async () => {
  try {
    etcd = await startEtcd()
    const store = `${etcd.url}/ha-shard`
    mq = await startMosquitto(planeDir('plane-a'), { planes: names.length })
    reloads = watch(dirname(mq.login.passwordFile), () => mq!.reload())
    const args = (name: string) => [
      ...['--store', store, '--leader-elect-identity', name],
      ...['--leader-elect-lease-duration', '6s'],
    ]
    for (const [i, name] of names.entries()) {
      if (i > 0) {
        // the first plane's identity, copied before its first start (README); a login of its own
        mkdirSync(planeDir(name), { mode: 0o700 })
        for (const f of [
          'pki',
          'tokens.json',
          'secret-keys.json',
          'admin.kubeconfig',
          'broker.json',
        ])
          cpSync(join(planeDir('plane-a'), f), join(planeDir(name), f), { recursive: true })
      }
      planes[name] = await startPlane(planeDir(name), {
        mqtt: i === 0 ? mq.url : mq.urlAs(`shoal-plane-${i + 1}`),
        args: args(name),
      })
    }
    ca = readFileSync(join(planeDir('plane-a'), 'pki', 'ca.crt'), 'utf8')
    admin = shoal(
      'token',
      'issue',
      '--data-dir',
      planeDir('plane-a'),
      '--role',
      'admin',
      '--user',
      'e2e',
    )
      .trim()
      .split('\n')
      .at(-1)!
      .trim()
  } catch (err) {
    console.error(err) // uvu prints nothing of an error thrown in a before hook
    await cleanup() // uvu runs no after hook when before fails
    throw err
  }
})

test.after(cleanup)

function startAgent(name: string, via: Name) {
  const line = shoal('token', 'issue', '--data-dir', planeDir(via), '--role', 'join')
    .split('\n')
    .find((l) => l.includes('--join'))!
  const agentArgs = [
    ...['agent', '--join', planes[via]!.url, '--token', /--token (\S+)/.exec(line)![1]!],
    ...['--ca-cert-hash', /--ca-cert-hash (\S+)/.exec(line)![1]!, '--name', name],
    ...['--data-dir', join(dir, name), '--heartbeat', '1s'],
    ...meshTestArgs(),
  ]
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...agentArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const a = { name, child, out: '' }
  child.stdout!.on('data', (d) => (a.out += d))
  child.stderr!.on('data', (d) => (a.out += d))
  agents.push(a)
  return a
}

test('nodes served by different planes; a serving plane killed: another takes its nodes, pods run on, logs through a follower', async () => {
  const leader = (await until('a leader', async () => {
    const l = await getJson(
      'plane-a',
      '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/shoal-controller-manager',
    )
    return l?.spec?.holderIdentity as Name | undefined
  })) as Name
  const [doomed, other] = names.filter((n) => n !== leader) as [Name, Name]
  // node names served by the two followers, and the doomed plane's node served next by `other`
  const pick = (want: (n: string) => boolean) =>
    Array.from({ length: 200 }, (_, i) => `edge-${i}`).find(want)!
  const xNode = pick((n) => ownerOf(n, names) === doomed && ownerOf(n, [leader, other]) === other)
  const yNode = pick((n) => ownerOf(n, names) === other)
  for (const n of names) await pushImage(callerOf(n), 'crasher')
  const x = startAgent(xNode, leader)
  const y = startAgent(yNode, doomed)
  for (const node of [xNode, yNode])
    await until(`node ${node} Ready`, async () => {
      const n = await getJson(leader, `/api/v1/nodes/${node}`)
      const ready = n?.status?.conditions?.find((c: { type: string }) => c.type === 'Ready')
      return ready?.status === 'True'
    })
  // served by different planes, as each Lease shows (read through any plane)
  assert.is(await until('x served', () => servedBy(other, xNode)), doomed)
  assert.is(await until('y served', () => servedBy(leader, yNode)), other)

  const create = (pod: string, node: string) =>
    callerOf(leader)('POST', '/api/v1/namespaces/default/pods', podJson(pod, node))
  const before = ['x-0', 'x-1', 'y-0', 'y-1']
  for (const p of before) assert.is((await create(p, p[0] === 'x' ? xNode : yNode)).status, 201)
  for (const p of before)
    await until(`pod ${p} Running`, async () => (await phase(other, p)) === 'Running')
  const started = async (pod: string) =>
    (await getJson(leader, `/api/v1/namespaces/default/pods/${pod}`))?.status
      ?.containerStatuses?.[0]?.state?.running?.startedAt as string | undefined
  const x0Started = await until('x-0 started', () => started('x-0'))

  // logs of a pod on x through `other`, which does not serve x: the request goes over the bus
  const logsVia = (via: Name, pod: string) =>
    callerOf(via)('GET', `/api/v1/namespaces/default/pods/${pod}/log`).then((r) =>
      r.status === 200 ? r.text : undefined,
    )
  assert.match(
    await until('x-0 logs via a follower', () => logsVia(other, 'x-0')),
    'crasher: started',
  )
  assert.match(kubectl(other, 'logs', 'x-0').out, 'crasher: started')

  // x's usage (kubectl top) through `other` too: every plane keeps every node's stats
  await until(
    'x usage via a follower that does not serve it',
    async () => (await getJson(other, `/apis/metrics.k8s.io/v1beta1/nodes/${xNode}`))?.usage,
  )

  // under load: pods are being created on both nodes while the plane serving x dies
  const lastRenew = (await leaseOf(leader, xNode)).spec.renewTime as string
  const creating = (async () => {
    for (let i = 2; i < 8; i++) {
      for (const [prefix, node] of [
        ['x', xNode],
        ['y', yNode],
      ])
        assert.is((await create(`${prefix}-${i}`, node)).status, 201)
      await sleep(200)
    }
  })()
  await sleep(300)
  const killedAt = Date.now()
  const dead = planes[doomed]!.child
  dead.kill('SIGKILL')
  await new Promise((r) =>
    dead.exitCode !== null || dead.signalCode ? r(0) : dead.once('exit', r),
  )
  delete planes[doomed]
  await creating

  // x's heartbeats are handled by `other` now: its Lease renewed there
  const took = await until('x served by another plane', async () => {
    const l = await leaseOf(leader, xNode)
    return l?.metadata?.annotations?.[SERVED_BY] === other && l.spec.renewTime > lastRenew
      ? Date.now() - killedAt
      : undefined
  })
  console.log(`  ${xNode}: served by ${other} ${took} ms after ${doomed} was killed`)
  const xLive = await getJson(leader, `/api/v1/nodes/${xNode}`)
  const ready = xLive.status.conditions.find((c: { type: string }) => c.type === 'Ready')
  console.log(`  ${xNode} Ready ${ready.status} since ${ready.lastTransitionTime}`)

  // every pod runs: the ones before on (not started again), the ones made meanwhile
  assert.is(await started('x-0'), x0Started, 'x-0 was not started again')
  assert.is(await phase(leader, 'x-0'), 'Running')
  for (let i = 0; i < 8; i++)
    for (const p of [`x-${i}`, `y-${i}`])
      await until(`pod ${p} Running`, async () => (await phase(other, p)) === 'Running')
  assert.is(await servedBy(leader, yNode), other, 'y did not move')

  // logs of a pod on x through the leader now (served by `other`), and kubectl through `other`
  assert.match(await until('x-7 logs', () => logsVia(leader, 'x-7')), 'crasher: started')
  assert.match(
    await until('kubectl logs x-7', async () => {
      const r = kubectl(other, 'logs', 'x-7')
      return r.status === 0 && r.out
    }),
    'crasher: started',
  )
  for (const a of [x, y]) assert.is(a.child.exitCode, null, a.out.slice(-3000))
})

test.run()
