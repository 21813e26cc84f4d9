// A node on an external broker, all real processes: Mosquitto started with the config
// `shoal broker-config` writes, `shoal plane --mqtt mqtt://…`, a node joined with the printed
// command (the join answer names the external broker; the plane adds the node's login to
// Mosquitto's password file, which Mosquitto re-reads on SIGHUP). Then Mosquitto is killed with
// -9 while the node runs a pod: the pod keeps serving; a pod created and one deleted while the
// broker is away are run and stopped once it is back, and the statuses converge — nothing lost.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MOSQUITTO, startMosquitto, type Mosquitto } from '../transport/mosquitto.ts'
import { skipFileWithout } from '../peers.ts'
import {
  instanceUrl,
  planeCaller,
  pushImage,
  startPlane,
  type PlaneProcess,
} from './plane-process.ts'
import { nodeOnBroker, stop } from './node-on-broker.ts'

skipFileWithout(import.meta.url, 'mosquitto', existsSync(MOSQUITTO), 'apt-get install mosquitto')

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-broker-'))
const planeDir = join(dir, 'plane')
const agentDir = join(dir, 'agent')
let broker: Mosquitto
let plane: PlaneProcess
let admin: string
let ca: string

const shoal = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8' })

const https = planeCaller(() => ({ url: plane.url, ca, token: admin }))
const node = nodeOnBroker({
  agentDir,
  https,
  plane: () => plane,
  broker: () => broker,
})
const { getPod, waitFor, startAgent, createPod, running } = node

async function served(url: string): Promise<any> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) })
  return res.ok ? res.json() : undefined
}

test.before(async () => {
  broker = await startMosquitto(planeDir) // shoal broker-config's files, and broker.json
  plane = await startPlane(planeDir, { mqtt: broker.url })
  ca = readFileSync(join(planeDir, 'pki', 'ca.crt'), 'utf8')
  admin = shoal('token', 'issue', '--data-dir', planeDir, '--role', 'admin', '--user', 'e2e')
    .stdout.trim()
    .split('\n')
    .at(-1)!
  await pushImage(https, 'hello-http')
})

test.after(async () => {
  if (node.agent) await stop(node.agent.child, 'SIGKILL')
  await plane?.stop()
  await broker?.stop()
  rmSync(dir, { recursive: true, force: true })
})

test('a node joins through the plane and connects to Mosquitto; a pod runs there', async () => {
  const r = shoal('token', 'issue', '--data-dir', planeDir, '--role', 'join')
  const line = r.stdout.split('\n').find((l) => l.includes('shoal agent --join'))!
  const token = /--token (\S+)/.exec(line)![1]
  const hash = /--ca-cert-hash (\S+)/.exec(line)![1]
  startAgent(['--join', plane.url, '--token', token, '--ca-cert-hash', hash, '--name', 'pi-1'])
  await waitFor('the join', () => readFileSync(broker.login.passwordFile, 'utf8').includes('pi-1:'))
  broker.reload() // Mosquitto reads the node's login
  const creds = await waitFor('credentials', () =>
    JSON.parse(readFileSync(join(agentDir, 'credentials.json'), 'utf8')),
  )
  assert.is(creds.mqtt, broker.url, 'the join answer names the external broker')
  await waitFor('node pi-1 Ready', async () => {
    const n = await https('GET', '/api/v1/nodes/pi-1')
    const obj = n.status === 200 ? JSON.parse(n.text) : undefined
    return obj?.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')
  })
  assert.is((await createPod('web')).status, 201)
  assert.is((await createPod('doomed')).status, 201)
  await waitFor('web Running', running('web'))
  await waitFor('doomed Running', running('doomed'))
  assert.is((await served(instanceUrl(node.agent!.output(), 'web')!)).pod ?? 'web', 'web')
})

test('Mosquitto killed -9: the pod keeps serving; what changed meanwhile runs once it is back', async () => {
  const before = await getPod('web')
  const since = node.agent!.output().length
  await broker.kill()
  await waitFor('the agent noticing', () => node.agent!.output().slice(since).includes('link lost'))
  assert.ok(await served(instanceUrl(node.agent!.output(), 'web')!), 'serving with the broker gone')
  assert.is((await createPod('during')).status, 201)
  assert.is((await https('DELETE', '/api/v1/namespaces/default/pods/doomed')).status, 200)
  await broker.start()
  const during = await waitFor('during Running', running('during'))
  assert.is(during.spec.nodeName, 'pi-1')
  assert.ok(
    await served(
      (await waitFor('during serving', () => instanceUrl(node.agent!.output(), 'during')))!,
    ),
  )
  await waitFor('doomed stopped on its node', () =>
    /stopped a pod.*default\/doomed/.test(node.agent!.output().slice(since)) ? true : undefined,
  )
  const web = await waitFor('web Running after', running('web'))
  assert.is(web.metadata.uid, before.metadata.uid)
  assert.is(
    web.status.containerStatuses[0].state.running.startedAt,
    before.status.containerStatuses[0].state.running.startedAt,
    'the pod was not restarted by the broker going away',
  )
  assert.not.ok(
    /started a container.*default\/web/.test(node.agent!.output().slice(since)),
    'no restart of web on reconnect',
  )
})

test.run()
