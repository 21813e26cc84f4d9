// An external broker whose certificate another CA signed (not the plane's), the plane logging in
// with a client certificate, all real processes: Mosquitto with two TLS listeners — one that
// requires a client certificate of that CA and takes the login from it (use_identity_as_username),
// for the plane; one that takes the nodes' passwords — with the ACL and password file
// `shoal broker-config` writes; `shoal plane --mqtt mqtts://…:<plane listener> --mqtt-ca
// --mqtt-cert --mqtt-key --mqtt-nodes mqtts://…:<node listener>`; a node joined with the
// printed command (the join answer names the node listener and gives the broker's CA). A pod
// bound to the node runs; another node's login hears nothing of the first node's subtree and
// its forged publishes there change nothing; Mosquitto killed -9 and started again: a pod
// created meanwhile runs — nothing lost.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import mqtt from 'mqtt'
import { addNodeLogin, writeBrokerConfig } from '../../src/plane/broker-config.ts'
import { buildCertificate, generateKeyPair } from '../../src/plane/server/security/certificate.ts'
import { MOSQUITTO, runMosquitto, type MosquittoProcess } from '../transport/mosquitto.ts'
import { skipFileWithout } from '../peers.ts'
import { freePort, planeCaller, pushImage, startPlane, type PlaneProcess } from './plane-process.ts'
import { nodeOnBroker, stop } from './node-on-broker.ts'

skipFileWithout(import.meta.url, 'mosquitto', existsSync(MOSQUITTO), 'apt-get install mosquitto')

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'shoal-e2e-broker-cert-'))
const planeDir = join(dir, 'plane')
const agentDir = join(dir, 'agent')
const brokerDir = join(dir, 'mosquitto')
let broker: MosquittoProcess | undefined
let plane: PlaneProcess | undefined
let admin: string
let planeCa: string
let brokerCa: string
let nodesUrl: string
let planeUrl: string
let passwordFile: string

const shoal = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8' })

const https = planeCaller(() => ({ url: plane!.url, ca: planeCa, token: admin }))
const node = nodeOnBroker({
  agentDir,
  https,
  plane: () => plane,
  broker: () => broker,
})
const { waitFor, startAgent, createPod, running } = node

/** a CA of its own (not the plane's), the broker's serving certificate and the plane's client
 * certificate (CN shoal-plane: Mosquitto's username for it), as PEM files in brokerDir */
function makeForeignPki() {
  const ca = generateKeyPair()
  const day = 24 * 60 * 60 * 1000
  const validity = { notBefore: new Date(Date.now() - day), notAfter: new Date(Date.now() + day) }
  const issuer = { commonName: 'other-ca', privateKey: ca.privateKey, publicKey: ca.publicKey }
  const caPem = buildCertificate({
    commonName: 'other-ca',
    publicKey: ca.publicKey,
    issuer,
    ...validity,
    ca: true,
  })
  const leaf = (commonName: string, sans?: string[]) => {
    const k = generateKeyPair()
    const cert = buildCertificate({
      commonName,
      publicKey: k.publicKey,
      issuer,
      ...validity,
      ca: false,
      sans,
    })
    return { cert, key: k.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string }
  }
  const files: Record<string, string> = {}
  const write = (name: string, text: string) => {
    files[name] = join(brokerDir, name)
    writeFileSync(files[name], text, { mode: 0o600 })
  }
  const server = leaf('broker', ['localhost', '127.0.0.1'])
  const client = leaf('shoal-plane')
  write('ca.crt', caPem)
  write('broker.crt', server.cert)
  write('broker.key', server.key)
  write('plane.crt', client.cert)
  write('plane.key', client.key)
  return { caPem, files }
}

async function cleanup() {
  if (node.agent) await stop(node.agent.child, 'SIGKILL')
  await plane?.stop()
  await broker?.stop()
  rmSync(dir, { recursive: true, force: true })
}

test.before(async () => {
  try {
    mkdirSync(brokerDir, { recursive: true, mode: 0o700 })
    const nodePort = await freePort()
    const planePort = await freePort()
    // the ACL, the password file and broker.json as `shoal broker-config` writes them; the
    // listeners are this test's own
    writeBrokerConfig({
      dataDir: planeDir,
      out: brokerDir,
      listen: { host: '127.0.0.1', port: nodePort },
      tls: false,
    })
    passwordFile = join(brokerDir, 'passwd')
    const { caPem, files } = makeForeignPki()
    brokerCa = caPem
    const conf = join(brokerDir, 'two-listeners.conf')
    writeFileSync(
      conf,
      [
        `user ${userInfo().username}`,
        'per_listener_settings false',
        'allow_anonymous false',
        `password_file ${passwordFile}`,
        `acl_file ${join(brokerDir, 'acl')}`,
        'max_queued_messages 0',
        'set_tcp_nodelay true',
        'persistence false',
        '# the nodes: a password (their node token)',
        `listener ${nodePort} 127.0.0.1`,
        `certfile ${files['broker.crt']}`,
        `keyfile ${files['broker.key']}`,
        'use_username_as_clientid true',
        '# the plane: a client certificate of this CA, its CN the username',
        `listener ${planePort} 127.0.0.1`,
        `certfile ${files['broker.crt']}`,
        `keyfile ${files['broker.key']}`,
        `cafile ${files['ca.crt']}`,
        'require_certificate true',
        'use_identity_as_username true',
        '',
      ].join('\n'),
    )
    broker = await runMosquitto(conf, [nodePort, planePort])
    nodesUrl = `mqtts://127.0.0.1:${nodePort}`
    planeUrl = `mqtts://127.0.0.1:${planePort}`
    const certArgs = ['--mqtt-ca', files['ca.crt'], '--mqtt-nodes', nodesUrl]
    plane = await startPlane(planeDir, {
      mqtt: planeUrl,
      args: [...certArgs, '--mqtt-cert', files['plane.crt'], '--mqtt-key', files['plane.key']],
    })
    planeCa = readFileSync(join(planeDir, 'pki', 'ca.crt'), 'utf8')
    admin = shoal('token', 'issue', '--data-dir', planeDir, '--role', 'admin', '--user', 'e2e')
      .stdout.trim()
      .split('\n')
      .at(-1)!
    await pushImage(https, 'hello-http')
  } catch (err) {
    await cleanup() // uvu runs no after hook when before fails
    throw err
  }
})

test.after(cleanup)

test('the plane says nodes connect at the node listener', () => {
  assert.match(plane!.output(), `shoal plane: nodes connect to ${nodesUrl}`)
})

test("without the client certificate the plane's login is refused, with a clear error", () => {
  // a data dir with no broker.json: no password either, only the URL and the broker's CA
  const bad = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      main,
      'plane',
      '--data-dir',
      join(dir, 'no-cert'),
      '--listen',
      '127.0.0.1:0',
      '--mqtt',
      planeUrl,
      '--mqtt-ca',
      join(brokerDir, 'ca.crt'),
    ],
    { encoding: 'utf8', timeout: 60_000 },
  )
  assert.is.not(bad.status, 0)
  assert.match(bad.stderr, /cannot connect to the broker at mqtts:\/\/127\.0\.0\.1:\d+/)
})

test('bad --mqtt-* flags are refused, naming what is wrong', () => {
  const run = (...args: string[]) =>
    spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        main,
        'plane',
        '--data-dir',
        join(dir, 'bad'),
        '--listen',
        '127.0.0.1:0',
        ...args,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    )
  const cases: [string[], RegExp][] = [
    [
      ['--mqtt-ca', join(brokerDir, 'ca.crt')],
      /--mqtt-ca, --mqtt-cert, --mqtt-key and --mqtt-nodes are for an external broker/,
    ],
    [
      ['--mqtt', planeUrl, '--mqtt-cert', join(brokerDir, 'plane.crt')],
      /--mqtt-cert and --mqtt-key go together/,
    ],
    [
      ['--mqtt', planeUrl, '--mqtt-ca', join(brokerDir, 'missing.crt')],
      /--mqtt-ca .*missing\.crt: ENOENT/,
    ],
    [
      ['--mqtt', planeUrl, '--mqtt-ca', join(brokerDir, 'plane.key')],
      /--mqtt-ca .*plane\.key holds no PEM CERTIFICATE/,
    ],
    [
      ['--mqtt', planeUrl, '--mqtt-nodes', 'http://x:1'],
      /--mqtt-nodes must be an mqtt:\/\/HOST:PORT/,
    ],
  ]
  for (const [args, want] of cases) {
    const r = run(...args)
    assert.is.not(r.status, 0, args.join(' '))
    assert.match(r.stderr, want, args.join(' '))
  }
})

test("a node joins, is given the node listener and the broker's CA, and runs a pod", async () => {
  const r = shoal('token', 'issue', '--data-dir', planeDir, '--role', 'join')
  const line = r.stdout.split('\n').find((l) => l.includes('shoal agent --join'))!
  const token = /--token (\S+)/.exec(line)![1]
  const hash = /--ca-cert-hash (\S+)/.exec(line)![1]
  startAgent(['--join', plane!.url, '--token', token, '--ca-cert-hash', hash, '--name', 'pi-1'])
  await waitFor('the join', () => readFileSync(passwordFile, 'utf8').includes('pi-1:'))
  broker!.reload() // Mosquitto reads the node's login
  const creds = await waitFor('credentials', () =>
    JSON.parse(readFileSync(join(agentDir, 'credentials.json'), 'utf8')),
  )
  assert.is(creds.mqtt, nodesUrl)
  assert.is(creds.mqttCa, brokerCa)
  await waitFor('node pi-1 Ready', async () => {
    const n = await https('GET', '/api/v1/nodes/pi-1')
    const obj = n.status === 200 ? JSON.parse(n.text) : undefined
    return obj?.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')
  })
  assert.is((await createPod('web')).status, 201)
  await waitFor('web Running', running('web'))
})

test("another node's login hears nothing of pi-1's subtree; its forged publishes change nothing", async () => {
  const issued = shoal('token', 'issue', '--data-dir', planeDir, '--role', 'node', '--node', 'pi-2')
  const token = issued.stdout.trim().split('\n').at(-1)!
  await addNodeLogin(passwordFile, 'pi-2', token)
  broker!.reload()
  const spy = await waitFor('pi-2 logged in', () =>
    mqtt.connectAsync(nodesUrl, {
      username: 'pi-2',
      password: token,
      clientId: 'pi-2',
      protocolVersion: 4,
      reconnectPeriod: 0,
      ca: brokerCa,
    }),
  )
  const heard: string[] = []
  spy.on('message', (t) => heard.push(t))
  for (const f of [
    'shoal/v1/nodes/pi-1/desired',
    'shoal/v1/nodes/pi-1/#',
    'shoal/v1/nodes/+/req',
    '#',
  ])
    await spy.subscribeAsync(f, { qos: 1 }).catch(() => undefined)
  // forged: pi-1 offline (retained), a heartbeat; Mosquitto drops a publish its ACL refuses
  spy.publish('shoal/v1/nodes/pi-1/online', '0', { qos: 1, retain: true })
  spy.publish('shoal/v1/nodes/pi-1/heartbeat', 'forged', { qos: 1 })
  assert.is((await createPod('second')).status, 201)
  await waitFor('second Running', running('second'))
  const node = JSON.parse((await https('GET', '/api/v1/nodes/pi-1')).text)
  assert.ok(
    node.status.conditions.some((c: any) => c.type === 'Ready' && c.status === 'True'),
    'pi-1 still Ready',
  )
  assert.equal(heard, [], 'pi-2 heard nothing of pi-1')
  spy.end(true)
})

test('Mosquitto killed -9 and started again: a pod created meanwhile runs', async () => {
  const since = node.agent!.output().length
  await broker!.kill()
  await waitFor('the agent noticing', () => node.agent!.output().slice(since).includes('link lost'))
  assert.is((await createPod('during')).status, 201)
  await broker!.start()
  await waitFor('during Running', running('during'))
  await waitFor('web Running after', running('web'))
  await waitFor('second Running after', running('second'))
})

test.run()
