// A node as a user meets it, all real processes: `shoal plane`, a join token from the CLI,
// `shoal agent --join …` (embedded broker, TLS), images pushed to the plane's registry, pods
// with spec.nodeName created and read with stock kubectl. The pod runs and reports Running, its
// logs come through kubectl, a crashing one reaches CrashLoopBackOff; then the plane is killed
// (kill -9): the pod keeps serving, a restarted agent brings it back from disk with no plane,
// and when the plane returns the statuses converge; a deleted pod is stopped on its node; with
// the agent killed -9 and the plane restarted meanwhile, pods created and deleted for it are not lost.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  freePort,
  instanceUrl as logged,
  meshTestArgs,
  planeCaller,
  pushImage,
  startPlane,
  type PlaneProcess,
} from './plane-process.ts'

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-agent-'))
const planeDir = join(dir, 'plane')
const agentDir = join(dir, 'agent')
const haveKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0
let apiPort: number
let mqttPort: number
let plane: PlaneProcess
let agent: { child: ChildProcess; output(): string } | undefined
let admin: string
let ca: string

function kubectl(...args: string[]): { status: number; out: string } {
  const kc = join(planeDir, 'admin.kubeconfig')
  const r = spawnSync('kubectl', ['--kubeconfig', kc, ...args], { encoding: 'utf8' })
  return { status: r.status ?? 1, out: r.stdout + r.stderr }
}
const https = planeCaller(() => ({ url: plane.url, ca, token: admin }))

async function getPod(name: string): Promise<any> {
  const r = await https('GET', `/api/v1/namespaces/default/pods/${name}`)
  return r.status === 200 ? JSON.parse(r.text) : undefined
}

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  ms = 60_000,
): Promise<T> {
  const end = Date.now() + ms
  let last: unknown
  for (;;) {
    try {
      const v = await fn()
      if (v !== undefined && v !== false) return v
    } catch (e) {
      last = e
    }
    if (Date.now() > end)
      throw new Error(
        `timed out waiting for ${what} ${last ? `(${String(last)})` : ''}\nagent:\n${agent?.output().slice(-3000)}`,
      )
    await new Promise((r) => setTimeout(r, 250))
  }
}

function startAgent(args: string[]) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', main, 'agent', '--data-dir', agentDir, ...meshTestArgs(), ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  agent = { child, output: () => out }
  return agent
}

function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill(signal)
  })
}

/** the loopback URL the agent logged for the pod's newest instance */
const instanceUrl = (pod: string) => logged(agent!.output(), pod)

async function served(url: string): Promise<any> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) })
  return res.ok ? res.json() : undefined
}

const podBody = (name: string, image: string, more: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      nodeName: 'pi-1',
      containers: [{ name: 'main', image, ports: [{ containerPort: 8080 }], ...more }],
    },
  })

test.before(async () => {
  apiPort = await freePort()
  mqttPort = await freePort()
  plane = await startPlane(planeDir, { port: apiPort, mqttPort })
  ca = readFileSync(join(planeDir, 'pki', 'ca.crt'), 'utf8')
  const issued = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      main,
      'token',
      'issue',
      '--data-dir',
      planeDir,
      '--role',
      'admin',
      '--user',
      'e2e',
    ],
    { encoding: 'utf8' },
  )
  admin = issued.stdout.trim().split('\n').at(-1)!.trim()
  await pushImage(https, 'hello-http')
  await pushImage(https, 'crasher')
})

test.after(async () => {
  if (agent) await stop(agent.child, 'SIGKILL')
  await plane.stop()
  rmSync(dir, { recursive: true, force: true })
})

test('join with the printed command; the node registers and is Ready', async () => {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', main, 'token', 'issue', '--data-dir', planeDir, '--role', 'join'],
    { encoding: 'utf8' },
  )
  assert.is(r.status, 0, r.stderr)
  const line = r.stdout.split('\n').find((l) => l.includes('shoal agent --join'))
  assert.ok(line, r.stdout)
  const token = /--token (\S+)/.exec(line!)![1]
  const hash = /--ca-cert-hash (\S+)/.exec(line!)![1]
  assert.match(hash, /^sha256:[0-9a-f]{64}$/)
  startAgent([
    '--join',
    plane.url,
    '--token',
    token,
    '--ca-cert-hash',
    hash,
    '--name',
    'pi-1',
    '--heartbeat',
    '1s',
  ])
  const node = await waitFor('node pi-1 Ready', async () => {
    const n = await https('GET', '/api/v1/nodes/pi-1')
    if (n.status !== 200) return undefined
    const obj = JSON.parse(n.text)
    return obj.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')
      ? obj
      : undefined
  })
  assert.ok(node.status.nodeInfo.architecture)
  assert.ok(Number(node.status.capacity.pods) > 0)
  // its identity: a certificate of the plane's CA for the key made on the node (node.pem, 0600)
  const pem = readFileSync(join(agentDir, 'node.pem'), 'utf8')
  assert.is(statSync(join(agentDir, 'node.pem')).mode & 0o777, 0o600)
  const cert = new X509Certificate(pem)
  assert.is(cert.subject, 'CN=system:node:pi-1\nO=system:nodes')
  assert.ok(cert.verify(new X509Certificate(ca).publicKey))
  assert.ok(cert.checkPrivateKey(createPrivateKey(pem)))
  // its Lease, renewed from its heartbeats
  const lease = await waitFor('the Lease of pi-1', async () => {
    const l = await https(
      'GET',
      '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/pi-1',
    )
    return l.status === 200 ? JSON.parse(l.text) : undefined
  })
  assert.equal([lease.spec.holderIdentity, lease.spec.leaseDurationSeconds], ['pi-1', 40])
})

test('a pod with nodeName runs there and kubectl shows it Running; its logs come through kubectl', async () => {
  const c = await https(
    'POST',
    '/api/v1/namespaces/default/pods',
    podBody('web', 'hello-http:1', { env: [{ name: 'POD_NAME', value: 'web' }] }),
  )
  assert.is(c.status, 201, c.text)
  const pod = await waitFor(
    'web Running',
    async () => {
      const p = await getPod('web')
      return p?.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready
        ? p
        : undefined
    },
    90_000,
  )
  assert.equal(pod.status.containerStatuses[0].state.running !== undefined, true)
  assert.match(pod.status.containerStatuses[0].imageID, /sha256:[0-9a-f]{64}/)
  const url = await waitFor('the instance url', () => instanceUrl('web'))
  const answer = await served(url)
  assert.is(answer.pod, 'web')
  // where it serves, as the plane knows it: the node (status.podIP) and the port there (the
  // instance listens on the node's loopback: other nodes reach it through that node's mesh)
  const ports = await waitFor('the ports annotation', async () => {
    const text = (await getPod('web'))?.metadata?.annotations?.['shoal.dev/ports']
    return text && (JSON.parse(text) as Record<string, number>)
  })
  assert.is(`http://127.0.0.1:${ports.main}`, url)
  assert.ok(pod.status.podIP)
  if (haveKubectl) {
    const get = kubectl('get', 'pod', 'web', '--no-headers')
    assert.match(get.out, /web\s+1\/1\s+Running\s+0/)
  }
})

test('a crashing component restarts with back-off: CrashLoopBackOff, logs via kubectl', async () => {
  const c = await https(
    'POST',
    '/api/v1/namespaces/default/pods',
    podBody('crash', 'crasher:1', {
      ports: undefined,
      env: [{ name: 'CRASH_AFTER_MS', value: '50' }],
    }),
  )
  assert.is(c.status, 201, c.text)
  const pod = await waitFor(
    'CrashLoopBackOff',
    async () => {
      const p = await getPod('crash')
      return p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff'
        ? p
        : undefined
    },
    90_000,
  )
  const cs = pod.status.containerStatuses[0]
  assert.is(cs.lastState.terminated.exitCode, 3)
  assert.is(cs.lastState.terminated.reason, 'Error')
  if (haveKubectl) {
    const logs = await waitFor(
      'kubectl logs',
      () => {
        const l = kubectl('logs', 'crash', '--previous')
        return l.status === 0 && l.out.includes('crasher: started') ? l.out : undefined
      },
      30_000,
    )
    assert.match(logs, /crasher: crashing now/)
  }
  assert.is((await https('DELETE', '/api/v1/namespaces/default/pods/crash')).status, 200)
  // gone for good — from the plane, and from the set the agent keeps on disk (what a restarted agent
  // runs offline) — before the next test takes the plane away
  await waitFor('the crash pod gone', async () =>
    (await https('GET', '/api/v1/namespaces/default/pods/crash')).status === 404 ? true : undefined,
  )
  await waitFor("the crash pod out of the agent's saved desired state", () => {
    const saved = JSON.parse(readFileSync(join(agentDir, 'desired.json'), 'utf8'))
    return saved.pods.some((p: { name: string }) => p.name === 'crash') ? undefined : true
  })
})

test('plane killed: the pod keeps serving; an agent restarted without the plane brings it back from disk; statuses converge when the plane returns', async () => {
  const before = await getPod('web')
  await stop(plane.child, 'SIGKILL')
  const url = instanceUrl('web')!
  assert.is((await served(url)).pod, 'web', 'serving with the plane gone')
  await stop(agent!.child, 'SIGTERM')
  startAgent([])
  const back = await waitFor('web started again from disk', () => instanceUrl('web'), 60_000)
  assert.is((await served(back)).pod, 'web', 'serving again, no plane anywhere')
  // its log line comes through a pipe, maybe after the pod already answers
  await waitFor('the agent saying it started with one pod', () =>
    /agent started.*"pods":1/.test(agent!.output()) ? true : undefined,
  )
  plane = await startPlane(planeDir, { port: apiPort, mqttPort })
  const pod = await waitFor(
    'a newer status from the restarted agent',
    async () => {
      const p = await getPod('web')
      const started = p?.status?.containerStatuses?.[0]?.state?.running?.startedAt
      return p?.status?.phase === 'Running' &&
        started &&
        started > before.status.containerStatuses[0].state.running.startedAt
        ? p
        : undefined
    },
    60_000,
  )
  assert.is(pod.metadata.uid, before.metadata.uid, 'the same pod, not recreated')
})

test('a reconnecting agent keeps its running pods; a deleted pod is stopped on its node', async () => {
  const since = agent!.output().length
  await new Promise((r) => setTimeout(r, 3000)) // a few heartbeats and resends after the reconnect
  assert.not.ok(
    agent!.output().slice(since).includes('started a container'),
    'no restart on reconnect',
  )
  const url = instanceUrl('web')!
  assert.is((await https('DELETE', '/api/v1/namespaces/default/pods/web')).status, 200)
  await waitFor('the pod stopped on the node', () =>
    agent!.output().slice(since).includes('stopped a pod') ? true : undefined,
  )
  await waitFor('its instance no longer serving', async () => {
    try {
      const answer = await served(url)
      return answer?.pod === 'web' ? undefined : true
    } catch {
      return true
    }
  })
})

test('agent killed -9 and the plane restarted while it is away: what was queued for it is not lost', async () => {
  const c = await https('POST', '/api/v1/namespaces/default/pods', podBody('early', 'hello-http:1'))
  assert.is(c.status, 201, c.text)
  await waitFor(
    'early Running',
    async () => ((await getPod('early'))?.status?.phase === 'Running' ? true : undefined),
    90_000,
  )
  await stop(agent!.child, 'SIGKILL')
  assert.is((await https('DELETE', '/api/v1/namespaces/default/pods/early')).status, 200)
  const late = await https(
    'POST',
    '/api/v1/namespaces/default/pods',
    podBody('late', 'hello-http:1'),
  )
  assert.is(late.status, 201, late.text)
  await plane.stop()
  plane = await startPlane(planeDir, { port: apiPort, mqttPort })
  startAgent([])
  const pod = await waitFor(
    'late Running',
    async () => {
      const p = await getPod('late')
      return p?.status?.phase === 'Running' ? p : undefined
    },
    90_000,
  )
  assert.is(pod.spec.nodeName, 'pi-1')
  const url = await waitFor('late serving', () => instanceUrl('late'))
  assert.is((await served(url)).pod ?? 'late', 'late')
  // the agent started "early" from disk before it heard the plane; it stops it once it does
  await waitFor('early stopped on return', () =>
    /stopped a pod.*default\/early/.test(agent!.output()) ? true : undefined,
  )
})

test.run()
