// Several planes with a real agent (issue 17): two `shoal plane` processes on a real etcd and
// a real Mosquitto (the files `shoal broker-config` writes; it re-reads its password file when
// a plane adds a joining node, as `systemctl reload` would), the second with a copy of the
// first one's identity and a broker login of its own (broker-config --planes 2). A real agent
// joins through the plane that does not lead (its token reaches the other plane through etcd,
// its login Mosquitto's passwd) and runs a pod; the leader is
// killed with SIGKILL; the pod keeps running (its instance still answers), the other plane
// takes over, and a pod created after the takeover runs on the agent.
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
import {
  instanceUrl,
  meshTestArgs,
  planeCaller,
  pushImage,
  startPlane,
  type PlaneProcess,
} from './plane-process.ts'

skipFileWithout(import.meta.url, 'etcd', etcdPresent, `apt-get install etcd-server (${ETCD_BIN})`)
skipFileWithout(import.meta.url, 'mosquitto', existsSync(MOSQUITTO), 'apt-get install mosquitto')

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url))
const LEASE_SECONDS = 6
const dir = mkdtempSync(join(tmpdir(), 'shoal-ha-agent-'))
const names = ['plane-a', 'plane-b'] as const
const planeDir = (name: string) => join(dir, name)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
let etcd: TestEtcd | undefined
let mq: Mosquitto | undefined
let reloads: FSWatcher | undefined
const planes: Partial<Record<(typeof names)[number], PlaneProcess>> = {}
let agent: ChildProcess | undefined
let agentOut = ''
let ca = ''
let admin = ''

function shoal(...args: string[]): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`shoal ${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

const callerOf = (name: (typeof names)[number]) =>
  planeCaller(() => ({ url: planes[name]!.url, ca, token: admin }))

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 120_000) {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn().catch(() => undefined)
    if (v !== undefined && v !== false) return v
    if (Date.now() > end)
      throw new Error(
        `timed out waiting for ${what}\nagent:\n${agentOut.slice(-3000)}\n${Object.entries(planes)
          .map(([n, p]) => `${n}:\n${p!.output().slice(-3000)}`)
          .join('\n')}`,
      )
    await sleep(250)
  }
}

async function holder(name: (typeof names)[number]): Promise<string | undefined> {
  const r = await callerOf(name)(
    'GET',
    '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/shoal-controller-manager',
  )
  return r.status === 200 ? JSON.parse(r.text).spec?.holderIdentity : undefined
}

const podJson = (name: string) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      containers: [{ name: 'main', image: 'hello-http:1', ports: [{ containerPort: 8080 }] }],
    },
  })

async function phase(name: (typeof names)[number], pod: string) {
  const r = await callerOf(name)('GET', `/api/v1/namespaces/default/pods/${pod}`)
  return r.status === 200 ? (JSON.parse(r.text).status?.phase as string | undefined) : undefined
}

async function cleanup(): Promise<void> {
  reloads?.close()
  agent?.kill('SIGKILL')
  for (const p of Object.values(planes))
    if (p!.child.exitCode === null && p!.child.signalCode === null) await p!.stop()
  await mq?.stop()
  await etcd?.stop()
  rmSync(dir, { recursive: true, force: true })
}

test.before(async () => {
  try {
    etcd = await startEtcd()
    const store = `${etcd.url}/ha-agent`
    mq = await startMosquitto(planeDir('plane-a'), { planes: 2 })
    reloads = watch(dirname(mq.login.passwordFile), () => mq!.reload())
    const args = (name: string) => [
      ...['--store', store, '--leader-elect-identity', name],
      ...['--leader-elect-lease-duration', `${LEASE_SECONDS}s`],
    ]
    planes['plane-a'] = await startPlane(planeDir('plane-a'), {
      mqtt: mq.url,
      args: args('plane-a'),
    })
    // the second plane: the first one's identity, copied before its first start (README)
    mkdirSync(planeDir('plane-b'), { mode: 0o700 })
    for (const f of ['pki', 'tokens.json', 'secret-keys.json', 'admin.kubeconfig', 'broker.json'])
      cpSync(join(planeDir('plane-a'), f), join(planeDir('plane-b'), f), { recursive: true })
    // its own broker login: Mosquitto takes the username as the client id
    planes['plane-b'] = await startPlane(planeDir('plane-b'), {
      mqtt: mq.urlAs('shoal-plane-2'),
      args: args('plane-b'),
    })
    ca = readFileSync(join(planeDir('plane-a'), 'pki', 'ca.crt'), 'utf8')
    // issued in plane-a's data dir; plane-b learns it through etcd
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
    await cleanup() // uvu runs no after hook when before fails
    throw err
  }
})

test.after(cleanup)

test('the leader killed: the agent’s pod keeps running, a pod created after the takeover runs', async () => {
  const leader = (await until('a leader', () => holder('plane-a'))) as (typeof names)[number]
  assert.ok(names.includes(leader), leader)
  const follower = leader === 'plane-a' ? 'plane-b' : 'plane-a'
  // images are in each plane's registry: pushed to both
  for (const n of names) await pushImage(callerOf(n), 'hello-http')
  // the agent joins through the follower, with a join token issued in the follower's data dir
  const line = shoal('token', 'issue', '--data-dir', planeDir(follower), '--role', 'join')
    .split('\n')
    .find((l) => l.includes('--join'))!
  const agentArgs = [
    ...['agent', '--join', planes[follower]!.url, '--token', /--token (\S+)/.exec(line)![1]!],
    ...['--ca-cert-hash', /--ca-cert-hash (\S+)/.exec(line)![1]!, '--name', 'ha-pi'],
    ...['--data-dir', join(dir, 'ha-pi')],
    ...meshTestArgs(),
  ]
  agent = spawn(process.execPath, ['--import', 'tsx', main, ...agentArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  agent.stdout!.on('data', (d) => (agentOut += d))
  agent.stderr!.on('data', (d) => (agentOut += d))
  await until('node ha-pi Ready', async () => {
    const r = await callerOf(follower)('GET', '/api/v1/nodes/ha-pi')
    if (r.status !== 200) return false
    const ready = JSON.parse(r.text).status?.conditions?.find(
      (c: { type: string }) => c.type === 'Ready',
    )
    return ready?.status === 'True'
  })
  const create = (pod: string) =>
    callerOf(follower)('POST', '/api/v1/namespaces/default/pods', podJson(pod))
  assert.is((await create('before')).status, 201)
  await until('pod before Running', async () => (await phase(follower, 'before')) === 'Running')
  const url = await until('before’s instance URL', async () => instanceUrl(agentOut, 'before'))
  assert.is((await fetch(url)).status, 200)

  const killedAt = Date.now()
  const dead = planes[leader]!.child
  dead.kill('SIGKILL')
  await new Promise((r) =>
    dead.exitCode !== null || dead.signalCode ? r(0) : dead.once('exit', r),
  )
  const took = await until('the follower to lead', async () => {
    return (await holder(follower)) === follower && Date.now() - killedAt
  })
  console.log(`  takeover: ${follower} leads ${took} ms after ${leader} was killed`)
  // the pod ran on through the takeover: the same instance answers, the pod still Running
  assert.is((await fetch(url)).status, 200)
  assert.is(await phase(follower, 'before'), 'Running')
  assert.is(instanceUrl(agentOut, 'before'), url, 'before was not started again')

  assert.is((await create('after')).status, 201)
  await until('pod after Running', async () => (await phase(follower, 'after')) === 'Running')
  const after = JSON.parse(
    (await callerOf(follower)('GET', '/api/v1/namespaces/default/pods/after')).text,
  )
  assert.is(after.spec.nodeName, 'ha-pi')
  const afterUrl = await until('after’s instance URL', async () => instanceUrl(agentOut, 'after'))
  assert.is((await fetch(afterUrl)).status, 200)
  assert.is(agent.exitCode, null, agentOut.slice(-3000))
})

test.run()
