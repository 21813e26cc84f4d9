// The shoal CLI over TLS with the admin kubeconfig a real plane writes (CA data, bearer token),
// contexts edited by `shoal config` in a kubeconfig the stock kubectl then reads, KUBECONFIG
// with two files merged as kubectl merges them, `config view` redacting secrets, the CLI as a
// child process (exit codes, stdin, main.ts's dispatch), and the completion scripts.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile, spawnSync } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { parse } from 'yaml'
import { memoryLogger } from '../../src/core/index.ts'
import { createPlane, type Plane } from '../../src/plane/index.ts'
import { cli, shoalProcess, withoutAges } from './harness.ts'

const haveKubectl = spawnSync('kubectl', ['version', '--client']).status === 0
const dir = mkdtempSync(join(tmpdir(), 'shoal-cli-tls-'))
let plane: Plane
/** the plane's admin kubeconfig, its server the URL the plane listens at (it writes port 0 as asked) */
const adminKubeconfig = join(dir, 'admin.kubeconfig')
/** the stock kubectl, not blocking the plane of this process */
const kubectl = async (...args: string[]) => {
  try {
    return (await promisify(execFile)('kubectl', args, { encoding: 'utf8', timeout: 60_000 }))
      .stdout
  } catch (err) {
    return `failed: ${(err as { stderr?: string }).stderr}`
  }
}

test.before(async () => {
  plane = await createPlane({
    dataDir: join(dir, 'data'),
    listen: '127.0.0.1:0',
    mqttListen: '127.0.0.1:0',
    scheduler: false,
    logger: memoryLogger(),
  })
  const admin = JSON.parse(readFileSync(plane.adminKubeconfig!, 'utf8'))
  admin.clusters[0].cluster.server = plane.url
  writeFileSync(adminKubeconfig, JSON.stringify(admin))
})

test.after(async () => {
  await plane?.close()
  rmSync(dir, { recursive: true, force: true })
})

test('over TLS with the admin kubeconfig: get, apply, and a wrong CA refused', async () => {
  const shoal = cli({ HOME: dir, KUBECONFIG: adminKubeconfig })
  const ns = await shoal(['get', 'namespaces', '-o', 'name'])
  assert.is(ns.code, 0, ns.err)
  assert.match(ns.out, /^namespace\/default\n/m)
  const applied = await shoal(
    ['apply', '-f', '-'],
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: tls}\n',
  )
  assert.is(applied.out, 'configmap/tls created\n')
  const version = await shoal(['version', '-o', 'json'])
  assert.is(JSON.parse(version.out).clientVersion.gitVersion, 'v0.1.0')
  assert.match(JSON.parse(version.out).serverVersion.gitVersion, /^v1\.\d+/)

  const admin = JSON.parse(readFileSync(adminKubeconfig, 'utf8'))
  admin.users[0].user.token = 'not-a-token'
  writeFileSync(join(dir, 'bad-token'), JSON.stringify(admin))
  const denied = await cli({ HOME: dir })(['--kubeconfig', join(dir, 'bad-token'), 'get', 'pods'])
  assert.is(denied.code, 1)
  assert.match(denied.err, /^Error from server \(Unauthorized\): /)

  admin.clusters[0].cluster['certificate-authority-data'] = undefined
  writeFileSync(join(dir, 'no-ca'), JSON.stringify(admin))
  const untrusted = await cli({ HOME: dir })(['--kubeconfig', join(dir, 'no-ca'), 'get', 'pods'])
  assert.is(untrusted.code, 1)
  assert.match(untrusted.err, /^Unable to connect to the server: .*certificate/)
})

test("logs of a pod whose node is not connected: the server's error, exit 1", async () => {
  const shoal = cli({ HOME: dir, KUBECONFIG: adminKubeconfig })
  const pod =
    'apiVersion: v1\nkind: Pod\nmetadata: {name: lonely}\nspec: {nodeName: pi-gone, containers: [{name: c, image: "hello:1"}]}\n'
  assert.is((await shoal(['apply', '-f', '-'], pod)).out, 'pod/lonely created\n')
  const r = await shoal(['logs', 'lonely'])
  assert.is(r.code, 1)
  assert.match(r.err, /^Error from server \(\w+\): .*pi-gone/)
})

test('top nodes and pods from the usage the nodes report, as kubectl top prints it', async () => {
  const shoal = cli({ HOME: dir, KUBECONFIG: adminKubeconfig })
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'pi-t' },
    status: { allocatable: { cpu: '4', memory: '4Gi' } },
  }
  assert.is((await shoal(['apply', '-f', '-'], JSON.stringify(node))).code, 0)
  const lonely = JSON.parse((await shoal(['get', 'pod', 'lonely', '-o', 'json'])).out)
  const sample = (time: number, cpuNanos: number) => ({
    type: 'stats' as const,
    time,
    node: { cpuNanos, memoryBytes: 1024 * 2 ** 20, agent: { cpuNanos: 0, memoryBytes: 0 } },
    pods: [
      {
        uid: lonely.metadata.uid,
        namespace: 'default',
        name: 'lonely',
        containers: [
          {
            name: 'c',
            cpuNanos: cpuNanos / 4,
            memoryBytes: 8 * 2 ** 20,
            requests: 0,
            startTime: 0,
          },
        ],
      },
    ],
  })
  plane.nodeStats!.record('pi-t', sample(Date.now(), 0))
  await new Promise((r) => setTimeout(r, 200))
  plane.nodeStats!.record('pi-t', sample(Date.now(), 2e9))
  const nodes = await shoal(['top', 'nodes'])
  assert.is(nodes.code, 0, nodes.err)
  assert.match(
    nodes.out,
    /^NAME\s+CPU\(cores\)\s+CPU\(%\)\s+MEMORY\(bytes\)\s+MEMORY\(%\)\s+\npi-t\s+\d+m\s+\d+%\s+1024Mi\s+25%\s+\n$/,
  )
  const pods = await shoal(['top', 'pods'])
  assert.match(pods.out, /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s+\nlonely\s+\d+m\s+8Mi\s+\n$/)
  if (haveKubectl) {
    assert.is(nodes.out, await kubectl('--kubeconfig', adminKubeconfig, 'top', 'nodes'))
    assert.is(pods.out, await kubectl('--kubeconfig', adminKubeconfig, 'top', 'pods'))
  }
})

test('config: set-cluster, set-credentials, set-context, use-context round trip; kubectl reads the file', async () => {
  const file = join(dir, 'shared-config')
  const shoal = cli({ HOME: dir, KUBECONFIG: file })
  const ca = join(dir, 'data', 'pki', 'ca.crt')
  const admin = JSON.parse(readFileSync(adminKubeconfig, 'utf8'))
  writeFileSync(ca, Buffer.from(admin.clusters[0].cluster['certificate-authority-data'], 'base64'))
  const steps: [string[], string][] = [
    [
      [
        'config',
        'set-cluster',
        'edge',
        '--server',
        plane.url,
        '--certificate-authority',
        ca,
        '--embed-certs',
      ],
      'Cluster "edge" set.\n',
    ],
    [['config', 'set-credentials', 'me', '--token', admin.users[0].user.token], 'User "me" set.\n'],
    [
      ['config', 'set-context', 'pi', '--cluster', 'edge', '--user', 'me', '-n', 'kube-system'],
      'Context "pi" created.\n',
    ],
    [
      ['config', 'set-context', 'other', '--cluster', 'edge', '--user', 'me'],
      'Context "other" created.\n',
    ],
    [['config', 'use-context', 'pi'], 'Switched to context "pi".\n'],
    [['config', 'current-context'], 'pi\n'],
  ]
  for (const [argv, want] of steps) {
    const r = await shoal(argv)
    assert.equal([r.code, r.out, r.err], [0, want, ''], argv.join(' '))
  }
  const contexts = await shoal(['config', 'get-contexts'])
  assert.match(
    contexts.out,
    /^CURRENT\s+NAME\s+CLUSTER\s+AUTHINFO\s+NAMESPACE\n\s+other\s+edge\s+me\s*\n\*\s+pi\s+edge\s+me\s+kube-system\n$/,
  )
  const got = await shoal(['get', 'cm', '-o', 'name'])
  assert.is(got.code, 0, got.err)
  assert.match(got.out, /^configmap\/kube-root-ca.crt\n$|^$/) // kube-system's, not default's "tls"
  assert.not.match(got.out, /configmap\/tls/)
  const view = await shoal(['config', 'view', '--minify'])
  const doc = parse(view.out)
  assert.is(doc.users[0].user.token, 'REDACTED')
  assert.is(doc.clusters[0].cluster['certificate-authority-data'], 'DATA+OMITTED')
  assert.equal(
    doc.contexts.map((c: { name: string }) => c.name),
    ['pi'],
  )
  const raw = parse((await shoal(['config', 'view', '--raw'])).out)
  assert.is(raw.users[0].user.token, admin.users[0].user.token)
  writeFileSync(join(dir, 'me.crt'), 'CERT')
  writeFileSync(join(dir, 'me.key'), 'KEY')
  const embed = [
    '--client-certificate',
    join(dir, 'me.crt'),
    '--client-key',
    join(dir, 'me.key'),
    '--embed-certs',
  ]
  assert.is(
    (await shoal(['config', 'set-credentials', 'cert-user', ...embed])).out,
    'User "cert-user" set.\n',
  )
  const certUser = parse(readFileSync(file, 'utf8')).users.find(
    (u: { name: string }) => u.name === 'cert-user',
  )
  assert.equal(certUser.user, { 'client-certificate-data': 'Q0VSVA==', 'client-key-data': 'S0VZ' })
  assert.is((await shoal(['config', 'delete-user', 'cert-user'])).code, 0)
  const missing = await shoal(['config', 'use-context', 'nope'])
  assert.equal([missing.code, missing.err], [1, 'error: no context exists with the name: "nope"\n'])
  if (haveKubectl) {
    assert.is(await kubectl('--kubeconfig', file, 'config', 'current-context'), 'pi\n')
    for (const args of [
      ['config', 'get-contexts'],
      ['config', 'view'],
      ['config', 'view', '--minify'],
    ])
      assert.is(
        (await shoal(args)).out,
        await kubectl('--kubeconfig', file, ...args),
        args.join(' '),
      )
    assert.is(
      await kubectl('--kubeconfig', file, 'get', 'cm', 'tls', '-n', 'default', '-o', 'name'),
      'configmap/tls\n',
    )
  } else console.log('  (stock kubectl not on PATH: its read of the file not checked)')
})

test('apply after kubectl apply, and kubectl after shoal: unchanged, the same annotation', async () => {
  if (!haveKubectl) return console.log('  (stock kubectl not on PATH: apply interplay not checked)')
  const shoal = cli({ HOME: dir, KUBECONFIG: adminKubeconfig })
  const file = join(dir, 'shared.yaml')
  const manifest = (name: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}, labels: {app: ${name}}}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: {app: ${name}}}\n    spec: {containers: [{name: c, image: "hello:1", ports: [{containerPort: 80}]}]}\n`
  writeFileSync(file, manifest('by-kubectl'))
  assert.match(await kubectl('--kubeconfig', adminKubeconfig, 'apply', '-f', file), /created/)
  assert.is((await shoal(['apply', '-f', file])).out, 'deployment.apps/by-kubectl unchanged\n')
  writeFileSync(file, manifest('by-shoal'))
  assert.is((await shoal(['apply', '-f', file])).out, 'deployment.apps/by-shoal created\n')
  assert.is(
    await kubectl('--kubeconfig', adminKubeconfig, 'apply', '-f', file),
    'deployment.apps/by-shoal unchanged\n',
  )
  for (const args of [
    ['get', 'deploy', '-o', 'wide'],
    ['get', 'ns'],
    ['get', 'all', '-A'],
  ]) {
    const theirs = await kubectl('--kubeconfig', adminKubeconfig, ...args)
    assert.is(withoutAges((await shoal(args)).out), withoutAges(theirs), args.join(' '))
  }
  const annotation = async (name: string) =>
    JSON.parse((await shoal(['get', 'deploy', name, '-o', 'json'])).out).metadata.annotations[
      'kubectl.kubernetes.io/last-applied-configuration'
    ] as string
  assert.is(
    (await annotation('by-shoal')).replaceAll('by-shoal', 'X'),
    (await annotation('by-kubectl')).replaceAll('by-kubectl', 'X'),
  )
})

test('KUBECONFIG with two files: merged, first wins; use-context writes where current-context was set', async () => {
  const a = join(dir, 'a.yaml')
  const b = join(dir, 'b.yaml')
  writeFileSync(
    a,
    'apiVersion: v1\nkind: Config\nclusters: [{name: x, cluster: {server: "https://a:1"}}]\ncontexts: [{name: ca, context: {cluster: x, user: u}}]\n',
  )
  writeFileSync(
    b,
    'apiVersion: v1\nkind: Config\nclusters: [{name: x, cluster: {server: "https://b:1"}}]\ncontexts: [{name: cb, context: {cluster: x, user: u}}]\ncurrent-context: cb\n',
  )
  const shoal = cli({ HOME: dir, KUBECONFIG: [a, b].join(delimiter) })
  assert.is((await shoal(['config', 'get-contexts', '-o', 'name'])).out, 'ca\ncb\n')
  assert.is((await shoal(['config', 'current-context'])).out, 'cb\n')
  assert.is(parse((await shoal(['config', 'view'])).out).clusters[0].cluster.server, 'https://a:1')
  assert.is((await shoal(['config', 'use-context', 'ca'])).code, 0)
  assert.is(parse(readFileSync(b, 'utf8'))['current-context'], 'ca')
  assert.is(parse(readFileSync(a, 'utf8'))['current-context'], undefined)
})

test('as a child process: exit codes, stdin, --help lists the verbs, completion scripts', async () => {
  const env = { ...process.env, HOME: dir, KUBECONFIG: adminKubeconfig }
  const missing = await shoalProcess(['get', 'pod', 'nope'], env)
  assert.equal(
    [missing.code, missing.err],
    [1, 'Error from server (NotFound): pods "nope" not found\n'],
  )
  const applied = await shoalProcess(
    ['apply', '-f', '-'],
    env,
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: piped}\n',
  )
  assert.equal([applied.code, applied.out], [0, 'configmap/piped created\n'])
  const help = await shoalProcess(['--help'], env)
  for (const verb of ['get', 'apply', 'rollout', 'config', 'completion'])
    assert.match(help.out, new RegExp(`\\n  ${verb}\\s`))
  const unknownFlag = await shoalProcess(['get', 'pods', '--bogus'], env)
  assert.is(unknownFlag.code, 1)
  assert.match(unknownFlag.err, /unknown option '--bogus'/)

  const bash = await shoalProcess(['completion', 'bash'], env)
  assert.match(bash.out, /complete -o default -F _shoal shoal/)
  const check = spawnSync('bash', ['-n'], { input: bash.out, encoding: 'utf8' })
  assert.is(check.status, 0, check.stderr)
  const zsh = await shoalProcess(['completion', 'zsh'], env)
  assert.match(zsh.out, /^#compdef shoal\n/)
  const verbs = await shoalProcess(['__complete', ''], env)
  assert.match(verbs.out, /^get\ndescribe\napply\n/)
  const types = await shoalProcess(['__complete', 'get', ''], env)
  assert.ok(
    types.out.split('\n').includes('deployments') && types.out.split('\n').includes('deploy'),
  )
  const names = await shoalProcess(['__complete', 'get', 'configmaps', ''], env)
  assert.ok(names.out.split('\n').includes('piped'), names.out)
  const flags = await shoalProcess(['__complete', 'get', 'pods', '--'], env)
  assert.ok(
    flags.out.split('\n').includes('--output') && flags.out.split('\n').includes('--namespace'),
  )
})

test.run()
