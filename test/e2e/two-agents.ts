// Two real agents on one plane, each with the credentials its join gave it: a node reaches its
// own pods and the Secrets they use, and nothing of the other node's — not over HTTP (pods,
// their list, the Secret), not over MQTT (the other's topics), not in the desired state it is
// sent. Run over each broker (two-agents.test.ts: the embedded one; two-agents-mosquitto.test.ts:
// a real Mosquitto with the files `shoal broker-config` writes, `shoal plane --mqtt`; it re-reads
// its password file when the plane adds a joining node, as `systemctl reload` would).
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, watch, type FSWatcher } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import mqtt from 'mqtt'
import { startMosquitto, type Mosquitto } from '../transport/mosquitto.ts'
import {
  freePort,
  meshTestArgs,
  planeCaller,
  pushImage,
  startPlane,
  type PlaneProcess,
} from './plane-process.ts'

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url))
export function twoAgents(broker: 'embedded' | 'mosquitto') {
  const test = suite(`two agents on the ${broker} broker`)
  const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-two-'))
  const planeDir = join(dir, 'plane')
  const agents: { name: string; child: ChildProcess; output(): string }[] = []
  let plane: PlaneProcess | undefined
  let mq: Mosquitto | undefined
  let reloads: FSWatcher | undefined
  let ca: string
  let admin: string

  interface Credentials {
    node: string
    token: string
    mqtt: string
  }

  function shoal(...args: string[]): string {
    const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`shoal ${args.join(' ')}: ${r.stderr}`)
    return r.stdout
  }

  const call = planeCaller(() => ({ url: plane!.url, ca, token: admin }))
  /** as admin, or with another token */
  const https = (method: string, path: string, token = admin, body?: string | Uint8Array) =>
    call(method, path, body, token)

  async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 90_000) {
    const end = Date.now() + ms
    for (;;) {
      const v = await fn().catch(() => undefined)
      if (v) return v
      if (Date.now() > end)
        throw new Error(
          `timed out waiting for ${what}\n${agents.map((a) => `${a.name}:\n${a.output().slice(-2000)}`).join('\n')}`,
        )
      await new Promise((r) => setTimeout(r, 250))
    }
  }

  const credentialsOf = (name: string): Credentials =>
    JSON.parse(readFileSync(join(dir, name, 'credentials.json'), 'utf8')) as Credentials

  async function cleanup() {
    reloads?.close()
    for (const a of agents) a.child.kill('SIGKILL')
    await plane?.stop()
    await mq?.stop()
    rmSync(dir, { recursive: true, force: true })
  }

  test.before(async () => {
    try {
      await start()
    } catch (err) {
      await cleanup() // uvu runs no after hook when before fails
      throw err
    }
  })

  test.after(cleanup)

  async function start() {
    if (broker === 'mosquitto') {
      mq = await startMosquitto(planeDir)
      // the plane adds a joining node's login to the password file; Mosquitto reads it on SIGHUP
      reloads = watch(dirname(mq.login.passwordFile), () => mq!.reload())
    }
    plane = await startPlane(
      planeDir,
      mq
        ? { port: await freePort(), mqtt: mq.url }
        : { port: await freePort(), mqttPort: await freePort() },
    )
    ca = readFileSync(join(planeDir, 'pki', 'ca.crt'), 'utf8')
    admin = shoal('token', 'issue', '--data-dir', planeDir, '--role', 'admin', '--user', 'e2e')
      .trim()
      .split('\n')
      .at(-1)!
      .trim()
    await pushImage(call, 'hello-http')
    for (const name of ['pi-a', 'pi-b']) {
      const line = shoal('token', 'issue', '--data-dir', planeDir, '--role', 'join')
        .split('\n')
        .find((l) => l.includes('--join'))!
      const args = [
        ...['agent', '--join', plane.url, '--token', /--token (\S+)/.exec(line)![1]],
        ...['--ca-cert-hash', /--ca-cert-hash (\S+)/.exec(line)![1], '--name', name],
        ...['--data-dir', join(dir, name)],
        ...meshTestArgs(),
      ]
      const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let out = ''
      child.stdout!.on('data', (d) => (out += d))
      child.stderr!.on('data', (d) => (out += d))
      agents.push({ name, child, output: () => out })
    }
  }

  test("each node reaches its own pod and Secret, and nothing of the other node's", async () => {
    const secret = (name: string) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name },
        stringData: { password: 's3cret' },
      })
    assert.is(
      (await https('POST', '/api/v1/namespaces/default/secrets', admin, secret('db'))).status,
      201,
    )
    assert.is(
      (await https('POST', '/api/v1/namespaces/default/secrets', admin, secret('unused'))).status,
      201,
    )
    const pod = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web' },
      spec: {
        nodeName: 'pi-a',
        volumes: [{ name: 'db', secret: { secretName: 'db' } }],
        containers: [
          {
            name: 'main',
            image: 'hello-http:1',
            ports: [{ containerPort: 8080 }],
            env: [{ name: 'PASS', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }],
            volumeMounts: [{ name: 'db', mountPath: '/etc/db' }],
          },
        ],
      },
    })
    assert.is((await https('POST', '/api/v1/namespaces/default/pods', admin, pod)).status, 201)
    await waitFor('web Running on pi-a', async () => {
      const r = await https('GET', '/api/v1/namespaces/default/pods/web')
      return r.status === 200 && JSON.parse(r.text).status?.phase === 'Running'
    })
    // the Secret volume is on pi-a's disk, for that pod only
    const uid = JSON.parse((await https('GET', '/api/v1/namespaces/default/pods/web')).text)
      .metadata.uid
    assert.is(
      readFileSync(join(dir, 'pi-a', 'pods', uid, 'config', 'db', 'password'), 'utf8'),
      's3cret',
    )

    const a = credentialsOf('pi-a')
    // pi-b joins in its own time (nothing above waited for it)
    const b = await waitFor('pi-b joined', async () => credentialsOf('pi-b'))
    // over HTTP, with each node's own token
    assert.is((await https('GET', '/api/v1/namespaces/default/pods/web', a.token)).status, 200)
    assert.is((await https('GET', '/api/v1/namespaces/default/secrets/db', a.token)).status, 200)
    assert.is(
      (await https('GET', '/api/v1/namespaces/default/secrets/unused', a.token)).status,
      403,
    )
    assert.is((await https('GET', '/api/v1/namespaces/default/pods/web', b.token)).status, 403)
    assert.is((await https('GET', '/api/v1/namespaces/default/secrets/db', b.token)).status, 403)
    const listOther = '/api/v1/namespaces/default/pods?fieldSelector=spec.nodeName%3Dpi-a'
    assert.is((await https('GET', listOther, b.token)).status, 403)
    assert.is((await https('GET', '/api/v1/namespaces/default/secrets', a.token)).status, 403)

    // the desired state pi-b was sent holds nothing of pi-a's
    await waitFor('pi-b has a desired state', async () => {
      try {
        return readFileSync(join(dir, 'pi-b', 'desired.json'))
      } catch {
        return undefined
      }
    })
    assert.not.match(readFileSync(join(dir, 'pi-b', 'desired.json'), 'utf8'), /web|s3cret/)
    assert.not.match(readFileSync(join(dir, 'pi-b', 'desired.json'), 'utf8'), new RegExp(uid))

    // over MQTT, with pi-b's login (its client id is its name: pi-b's agent is stopped first, so
    // this session keeps it): what it subscribes to of pi-a's carries nothing to it — the embedded
    // broker refuses the subscription (SUBACK 0x80); Mosquitto 2.0 grants a 3.1.1 subscription its
    // ACL refuses and delivers nothing through it
    const agentB = agents.find((x) => x.name === 'pi-b')!.child
    await new Promise((resolve) => (agentB.once('exit', resolve), agentB.kill('SIGKILL')))
    const client = await mqtt.connectAsync(b.mqtt, {
      protocolVersion: 4,
      clientId: b.node,
      username: b.node,
      password: b.token,
      ca,
      reconnectPeriod: 0,
    })
    const heard: string[] = []
    client.on('message', (t) => heard.push(t))
    const granted = await client
      .subscribeAsync('shoal/v1/nodes/pi-a/desired', { qos: 1 })
      .catch((e: Error) => e)
    if (broker === 'embedded') {
      const refused = granted instanceof Error || granted.every((g) => g.qos === 128)
      assert.ok(refused, `pi-b subscribed to pi-a's desired state: ${JSON.stringify(granted)}`)
    }
    for (const filter of ['shoal/v1/nodes/pi-a/#', 'shoal/v1/nodes/+/desired', '#'])
      await client.subscribeAsync(filter, { qos: 1 }).catch(() => undefined)
    await client.subscribeAsync('shoal/v1/nodes/pi-b/desired', { qos: 1 })
    // the plane sends pi-a a new desired state: a second pod, run there
    const second = pod.replace('"web"', '"web-2"')
    assert.is((await https('POST', '/api/v1/namespaces/default/pods', admin, second)).status, 201)
    await waitFor('web-2 Running on pi-a', async () => {
      const r = await https('GET', '/api/v1/namespaces/default/pods/web-2')
      return r.status === 200 && JSON.parse(r.text).status?.phase === 'Running'
    })
    assert.ok(client.connected, "pi-b's session stayed")
    assert.equal(
      heard.filter((t) => !t.startsWith('shoal/v1/nodes/pi-b/')),
      [],
    )
    client.end(true)
  })

  test.run()
}
