// The shoal CLI against a real plane in this process (plain HTTP on loopback, scheduler off):
// get in every output, apply (create, unchanged, configure, multi-document, folders, stdin,
// prune), create, delete by name, selector and file, scale, label and annotate, rollout status,
// history, undo and restart with the controllers running (the agent's part, a pod Running and
// Ready, played by writing pod status), cordon and uncordon, logs without an agent, describe,
// events, explain, and errors with kubectl's words and exit codes.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryLogger } from '../../src/core/index.ts'
import { createPlane, type Plane } from '../../src/plane/index.ts'
import { resourceByKind } from '../../src/api/index.ts'
import { spawnSync } from 'node:child_process'
import { asyncKubectl, playReadyPods, until } from '../controllers/harness.ts'
import { cli, withoutAges, writePlainKubeconfig } from './harness.ts'

const PODS = resourceByKind('Pod')!
const dir = mkdtempSync(join(tmpdir(), 'shoal-cli-verbs-'))
const kubeconfig = join(dir, 'kubeconfig')
const shoal = cli({ HOME: dir, KUBECONFIG: kubeconfig })
const haveKubectl = spawnSync('kubectl', ['version', '--client']).status === 0
/** the stock kubectl on the same kubeconfig, for outputs that must be the same */
const { kubectl } = asyncKubectl(dir, { kubeconfig: () => kubeconfig })
let plane: Plane
let agent: NodeJS.Timeout | undefined

const ok = async (...argv: string[]) => {
  const r = await shoal(argv)
  assert.is(r.code, 0, `shoal ${argv.join(' ')}: ${r.err}`)
  return r.out
}

const deployment = (image: string, cause: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
  annotations: {kubernetes.io/change-cause: ${cause}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "${image}"}]
`

const configMaps = `apiVersion: v1
kind: ConfigMap
metadata: {name: one, labels: {set: a}}
data: {k: v}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: two, labels: {set: a}}
data: {k: v}
`

test.before(async () => {
  plane = await createPlane({
    dataDir: join(dir, 'data'),
    listen: '127.0.0.1:0',
    insecureHttp: true,
    scheduler: false,
    logger: memoryLogger(),
  })
  writePlainKubeconfig(kubeconfig, plane.url)
  const tick = () => {
    agent = setTimeout(() => playReadyPods(plane).then(tick, tick), 50)
  }
  tick()
})

test.after(async () => {
  clearTimeout(agent)
  agent = undefined
  await plane?.close()
  rmSync(dir, { recursive: true, force: true })
})

test('apply: created, then unchanged, then configured; multi-document, a folder and stdin', async () => {
  writeFileSync(join(dir, 'cms.yaml'), configMaps)
  assert.is(
    await ok('apply', '-f', join(dir, 'cms.yaml')),
    'configmap/one created\nconfigmap/two created\n',
  )
  assert.is(
    await ok('apply', '-f', join(dir, 'cms.yaml')),
    'configmap/one unchanged\nconfigmap/two unchanged\n',
  )
  writeFileSync(
    join(dir, 'cms.yaml'),
    configMaps.replace('data: {k: v}\n---', 'data: {k: changed}\n---'),
  )
  assert.is(
    await ok('apply', '-f', join(dir, 'cms.yaml')),
    'configmap/one configured\nconfigmap/two unchanged\n',
  )
  assert.is(await ok('get', 'cm', 'one', '-o', 'jsonpath={.data.k}'), 'changed')

  const folder = join(dir, 'app')
  mkdirSync(folder)
  writeFileSync(
    join(folder, 'a.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: in-folder}\n',
  )
  writeFileSync(
    join(folder, 'b.json'),
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'svc' },
      spec: { ports: [{ port: 80 }] },
    }),
  )
  writeFileSync(join(folder, 'notes.txt'), 'not a manifest')
  assert.is(await ok('apply', '-f', folder), 'configmap/in-folder created\nservice/svc created\n')
  assert.is(
    await ok('apply', '-f', folder),
    'configmap/in-folder unchanged\nservice/svc unchanged\n',
  )

  const r = await shoal(
    ['apply', '-f', '-'],
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-stdin}\n',
  )
  assert.is(r.out, 'configmap/from-stdin created\n')
})

test('apply --prune -l deletes what was applied before and is no longer in the manifests', async () => {
  writeFileSync(join(dir, 'one.yaml'), configMaps.replace('{k: v}', '{k: changed}').split('---')[0])
  const out = await ok('apply', '-f', join(dir, 'one.yaml'), '--prune', '-l', 'set=a')
  assert.is(out, 'configmap/one unchanged\nconfigmap/two pruned\n')
  const miss = await shoal(['get', 'cm', 'two'])
  assert.is(miss.code, 1)
  assert.is(miss.err, 'Error from server (NotFound): configmaps "two" not found\n')
})

test("get: the server's columns, -o wide, json, yaml, name, jsonpath, -A, -l", async () => {
  const table = await ok('get', 'configmaps')
  assert.match(table, /^NAME\s+DATA\s+AGE\n/)
  assert.match(table, /\none\s+1\s+\d+s\n/)
  const svc = await ok('get', 'svc', 'svc', '-o', 'wide')
  assert.match(svc, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\s+SELECTOR\n/)
  const one = JSON.parse(await ok('get', 'cm', 'one', '-o', 'json'))
  assert.is(one.kind, 'ConfigMap')
  assert.is(one.data.k, 'changed')
  const list = JSON.parse(await ok('get', 'cm', '-l', 'set=a', '-o', 'json'))
  assert.is(list.kind, 'List')
  assert.equal(
    list.items.map((i: any) => [i.kind, i.metadata.name]),
    [['ConfigMap', 'one']],
  )
  assert.match(
    await ok('get', 'cm/one', '-o', 'yaml'),
    /^apiVersion: v1\ndata:\n {2}k: changed\nkind: ConfigMap\n/,
  )
  assert.is(await ok('get', 'cm', '-l', 'set=a', '-o', 'name'), 'configmap/one\n')
  const names = (await ok('get', 'cm', '-o', 'name')).replaceAll('configmap/', '')
  assert.ok(names.startsWith('from-stdin\nin-folder\n'), names)
  assert.is(
    await ok('get', 'cm', '-o', 'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}'),
    names,
  )
  assert.match(
    await ok('get', 'ns', 'default', 'kube-system'),
    /^NAME\s+STATUS\s+AGE\ndefault\s+Active\s+\S+\nkube-system\s+Active\s+\S+\n$/,
  )
  const all = await ok('get', 'ns', 'default', 'kube-system', '-o', 'name')
  assert.is(all, 'namespace/default\nnamespace/kube-system\n')
  const across = await ok('get', 'cm', '-A', '-l', 'set=a')
  assert.match(across, /^NAMESPACE\s+NAME\s+DATA\s+AGE\ndefault\s+one\s+1\s/)
  if (haveKubectl) {
    for (const args of [
      ['get', 'cm', 'one', '-o', 'json'],
      ['get', 'cm', '-l', 'set=a', '-o', 'json'],
      ['get', 'cm', 'one', '-o', 'yaml'],
      ['get', 'cm', '-o', 'yaml'],
      ['get', 'ns', '-o', 'name'],
      ['get', 'ns', '-o', 'jsonpath={.items[*].metadata.name}'],
      ['get', 'svc', '-o', 'wide'],
    ])
      assert.is(withoutAges(await ok(...args)), withoutAges(await kubectl(...args)), args.join(' '))
  }
  const none = await shoal(['get', 'pods', '-l', 'app=nothing'])
  assert.equal(
    [none.code, none.out, none.err],
    [0, '', 'No resources found in default namespace.\n'],
  )
})

test('create: created, then AlreadyExists as kubectl says it; delete by name, -l and -f', async () => {
  writeFileSync(
    join(dir, 'c.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: made, labels: {tmp: "1"}}\n',
  )
  assert.is(await ok('create', '-f', join(dir, 'c.yaml')), 'configmap/made created\n')
  const again = await shoal(['create', '-f', join(dir, 'c.yaml')])
  assert.is(again.code, 1)
  assert.is(
    again.err,
    `Error from server (AlreadyExists): error when creating "${join(dir, 'c.yaml')}": configmaps "made" already exists\n`,
  )
  assert.is(await ok('delete', 'cm', '-l', 'tmp=1'), 'configmap "made" deleted\n')
  assert.is(
    await ok('delete', 'configmap', 'in-folder', '--wait'),
    'configmap "in-folder" deleted\n',
  )
  assert.is(await ok('delete', '-f', join(dir, 'app', 'b.json')), 'service "svc" deleted\n')
  const gone = await shoal(['delete', 'cm', 'in-folder'])
  assert.equal(
    [gone.code, gone.err],
    [1, 'Error from server (NotFound): configmaps "in-folder" not found\n'],
  )
  assert.is((await shoal(['delete', 'cm', 'in-folder', '--ignore-not-found'])).code, 0)
})

test('get -w: the list, then each change as a row; ends when told to', async () => {
  const ac = new AbortController()
  let seen = ''
  const watching = shoal(['get', 'cm', '-l', 'set=a', '-w'], '', {
    signal: ac.signal,
    seen: (out) => (seen = out),
  })
  await until('the first rows', async () => /\none\s/.test(seen))
  await ok('label', 'cm', 'from-stdin', 'set=a')
  await until('the new row', async () => /\nfrom-stdin\s/.test(seen))
  ac.abort()
  const r = await watching
  assert.is(r.code, 0, r.err)
  assert.match(r.out, /^NAME\s+DATA\s+AGE\none\s+1\s+\S+\nfrom-stdin\s+0\s+\S+\n$/)
  await ok('label', 'cm', 'from-stdin', 'set-')
})

test('edit: $EDITOR changes the object; no change cancels; --dry-run=server writes nothing', async () => {
  const edit = cli({ HOME: dir, KUBECONFIG: kubeconfig, EDITOR: 'sed -i s/changed/edited/' })
  assert.is((await edit(['edit', 'cm', 'one'])).out, 'configmap/one edited\n')
  assert.is(await ok('get', 'cm', 'one', '-o', 'jsonpath={.data.k}'), 'edited')
  const none = cli({ HOME: dir, KUBECONFIG: kubeconfig, EDITOR: 'true' })
  assert.is((await none(['edit', 'cm', 'one'])).out, 'Edit cancelled, no changes made.\n')
  const dry = await shoal(
    ['apply', '-f', '-', '--dry-run=server'],
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dry}\n',
  )
  assert.is(dry.out, 'configmap/dry created (server dry run)\n')
  assert.is((await shoal(['get', 'cm', 'dry'])).code, 1)
})

test('label and annotate: set, refuse a change without --overwrite, remove', async () => {
  assert.is(await ok('label', 'cm', 'one', 'tier=edge'), 'configmap/one labeled\n')
  const clash = await shoal(['label', 'cm', 'one', 'tier=core'])
  assert.equal(
    [clash.code, clash.err],
    [1, "error: 'tier' already has a value (edge), and --overwrite is false\n"],
  )
  assert.is(await ok('label', 'cm/one', 'tier=core', '--overwrite'), 'configmap/one labeled\n')
  assert.is(await ok('get', 'cm', '-l', 'tier=core', '-o', 'name'), 'configmap/one\n')
  assert.is(await ok('label', 'cm', 'one', 'tier-'), 'configmap/one labeled\n')
  assert.is(await ok('annotate', 'cm', 'one', 'note=hi'), 'configmap/one annotated\n')
  assert.is(await ok('label', 'cm', '-l', 'set=a', 'picked=yes'), 'configmap/one labeled\n')
  assert.is(await ok('label', 'cm', '-l', 'set=a', 'picked=yes'), 'configmap/one not labeled\n')
  assert.is(
    await ok(
      'get',
      'cm',
      'one',
      '-o',
      'jsonpath={.metadata.annotations.note}|{.metadata.labels.tier}',
    ),
    'hi|',
  )
})

test('a Deployment: apply, rollout status, scale, history, undo, restart', async () => {
  writeFileSync(join(dir, 'web.yaml'), deployment('hello:1', 'first'))
  assert.is(await ok('apply', '-f', join(dir, 'web.yaml')), 'deployment.apps/web created\n')
  assert.match(
    await ok('rollout', 'status', 'deployment/web', '--timeout', '60s'),
    /deployment "web" successfully rolled out\n$/,
  )
  assert.match(
    await ok('get', 'deploy'),
    /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+2\/2\s+2\s+2\s/,
  )
  const pods = await ok('get', 'pods', '-o', 'wide')
  assert.match(pods, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s/)
  assert.match(pods, /\nweb-[a-z0-9]+-[a-z0-9]{5}\s+0\/1\s+Running\s+0\s+\S+\s+\S+\s+pi-1\s/)

  assert.is(await ok('scale', 'deployment', 'web', '--replicas=3'), 'deployment.apps/web scaled\n')
  await ok('rollout', 'status', 'deploy/web', '--timeout=60s')
  assert.is(await ok('get', 'deploy', 'web', '-o', 'jsonpath={.status.readyReplicas}'), '3')

  writeFileSync(join(dir, 'web.yaml'), deployment('hello:2', 'second'))
  assert.is(await ok('apply', '-f', join(dir, 'web.yaml')), 'deployment.apps/web configured\n')
  await ok('rollout', 'status', 'deployment/web', '--timeout=60s')
  assert.match(
    await ok('rollout', 'history', 'deployment/web'),
    /^deployment.apps\/web \nREVISION\s+CHANGE-CAUSE\n1\s+first\n2\s+second\n/,
  )

  assert.is(await ok('rollout', 'undo', 'deployment/web'), 'deployment.apps/web rolled back\n')
  await ok('rollout', 'status', 'deployment/web', '--timeout=60s')
  const history = await ok('rollout', 'history', 'deployment/web')
  assert.match(history, /^deployment.apps\/web \nREVISION\s+CHANGE-CAUSE\n2\s+second\n3\s+first\n/)
  if (haveKubectl) assert.is(history, await kubectl('rollout', 'history', 'deployment/web'))
  const two = await ok('rollout', 'history', 'deployment/web', '--revision', '2')
  assert.match(two, /^deployment.apps\/web with revision #2\nPod Template:\n {2}Labels:\tapp=web\n/)
  assert.match(two, /\n {2}Containers:\n {3}web:\n {4}Image:\thello:2\n/)
  if (haveKubectl)
    assert.is(two, await kubectl('rollout', 'history', 'deployment/web', '--revision=2'))
  const missing = await shoal(['rollout', 'history', 'deployment/web', '--revision', '9'])
  assert.equal([missing.code, missing.err], [1, 'error: unable to find the specified revision\n'])
  assert.is(
    await ok('get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'),
    'hello:1',
  )

  assert.is(await ok('rollout', 'pause', 'deployment/web'), 'deployment.apps/web paused\n')
  const again = await shoal(['rollout', 'pause', 'deployment/web'])
  assert.equal([again.code, again.err], [1, 'error: deployments.apps "web" is already paused\n'])
  assert.is(await ok('get', 'deploy', 'web', '-o', 'jsonpath={.spec.paused}'), 'true')
  assert.is(await ok('rollout', 'resume', 'deployment/web'), 'deployment.apps/web resumed\n')
  assert.is(await ok('rollout', 'restart', 'deployment/web'), 'deployment.apps/web restarted\n')
  const restarted = await ok(
    'get',
    'deploy',
    'web',
    '-o',
    "jsonpath={.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']}",
  )
  assert.match(restarted, /^\d{4}-\d\d-\d\dT/)
  await ok('rollout', 'status', 'deployment/web', '--timeout=60s')

  const described = await ok('describe', 'deployment', 'web')
  assert.match(described, /^Name:\s+web\nNamespace:\s+default\nLabels:\s+app=web\n/)
  assert.match(described, /\nEvents:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n/)
  assert.match(described, /ScalingReplicaSet/)
  const events = await ok('events', '--for', 'deployment/web')
  if (haveKubectl) {
    // kubectl's lines but for LAST SEEN (read at another instant) and the order within a second
    const lines = (t: string) =>
      t
        .split('\n')
        .map((l) => l.replace(/^\S+( \(x\d+ over \S+\))?\s+/, ''))
        .sort()
    // the controllers may still be writing an event between the two reads: read both again then
    const same = async () => {
      const ours = lines(await ok('events', '--for', 'deployment/web'))
      const theirs = lines(await kubectl('events', '--for', 'deployment/web'))
      return JSON.stringify(ours) === JSON.stringify(theirs) || undefined
    }
    await until('the same events as kubectl events', same, { ms: 10_000 })
  }
  assert.match(
    events,
    /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n.*Normal\s+ScalingReplicaSet\s+Deployment\/web\s/,
  )
})

test('get all: every type of the category with its prefix; apply -o name; a namespace clash', async () => {
  const all = await ok('get', 'all')
  assert.match(all, /(^|\n)NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\npod\/web-/)
  assert.match(
    all,
    /\n\nNAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\ndeployment.apps\/web\s+2\/2\s/,
    all,
  )
  assert.match(all, /\nreplicaset.apps\/web-/)
  const named = await shoal(['apply', '-f', join(dir, 'web.yaml'), '-o', 'name'])
  assert.equal([named.code, named.out], [0, 'deployment.apps/web\n'])
  const clash = await shoal(
    ['apply', '-n', 'kube-system', '-f', '-'],
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: default}\n',
  )
  assert.equal(
    [clash.code, clash.err],
    [
      1,
      `error: the namespace from the provided object "default" does not match the namespace "kube-system". You must pass '--namespace=default' to perform this operation.\n`,
    ],
  )
  const help = await shoal(['get', '--help'])
  assert.is(help.code, 0)
  assert.match(help.out, /^Usage: shoal get \[options\] <args\.\.\.>/)
  assert.match(help.out, /-o, --output <format>/)
})

test('logs: a pod on a plane without nodes fails as the server says, exit 1', async () => {
  const pod = (await plane.objects.list(PODS, {})).items.find((p) => !p.metadata.deletionTimestamp)!
  const described = await ok('describe', 'pod', pod.metadata.name!)
  assert.match(
    described,
    new RegExp(`^Name:\\s+${pod.metadata.name}\nNamespace:\\s+default\nNode:\\s+pi-1/\n`),
  )
  assert.match(described, /\nStatus:\s+Running\n/)
  assert.match(described, /\nContainers:\n {2}web:\n {4}Image:\s+hello:1\n {4}State:\s+Waiting\n/)
  assert.match(described, /\nConditions:\n {2}Type\s+Status\n {2}Ready\s+True\n/)
  assert.match(described, /\nQoS Class:\s+BestEffort\n/)
  assert.match(described, /\nControlled By:\s+ReplicaSet\/web-/)
  const secret =
    'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {password: hunter22}\n'
  assert.is((await shoal(['apply', '-f', '-'], secret)).code, 0)
  const secretText = await ok('describe', 'secret', 's')
  assert.match(secretText, /\nData: password=8 bytes\n/)
  assert.not.match(secretText, /hunter22|aHVudGVy/)
  const r = await shoal(['logs', pod.metadata.name!])
  assert.is(r.code, 1)
  assert.is(
    r.err,
    `Error from server (ServiceUnavailable): pods "${pod.metadata.name}": this plane runs without TLS (--insecure-http), so no node connects to serve logs\n`,
  )
  assert.is(r.out, '')
})

test('cordon and uncordon a node', async () => {
  await plane.objects.create(resourceByKind('Node')!, {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'pi-9' },
  } as never)
  assert.is(await ok('cordon', 'pi-9'), 'node/pi-9 cordoned\n')
  assert.is(await ok('get', 'node', 'pi-9', '-o', 'jsonpath={.spec.unschedulable}'), 'true')
  assert.is(await ok('cordon', 'pi-9'), 'node/pi-9 already cordoned\n')
  assert.is(await ok('uncordon', 'pi-9'), 'node/pi-9 uncordoned\n')
  assert.is(await ok('get', 'node', 'pi-9', '-o', 'jsonpath={.spec.unschedulable}'), '')
})

test("explain from the served OpenAPI; errors read as kubectl's", async () => {
  const ex = await ok('explain', 'deployment.spec.replicas')
  assert.match(ex, /^GROUP:\s+apps\nKIND:\s+Deployment\nVERSION:\s+v1\n\nFIELD: replicas <integer>/)
  const unknownType = await shoal(['get', 'widgets'])
  assert.equal(
    [unknownType.code, unknownType.err],
    [1, 'error: the server doesn\'t have a resource type "widgets"\n'],
  )
  const badOutput = await shoal(['get', 'pods', '-o', 'table'])
  assert.is(badOutput.code, 1)
  assert.match(
    badOutput.err,
    /^error: unable to match a printer suitable for the output format "table"/,
  )
  const missing = await shoal(['get', 'deploy', 'nope'])
  assert.equal(
    [missing.code, missing.err],
    [1, 'Error from server (NotFound): deployments.apps "nope" not found\n'],
  )
  const invalid = await shoal(
    ['apply', '-f', '-'],
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name}\n',
  )
  assert.is(invalid.code, 1)
  assert.match(
    invalid.err,
    /^Error from server \(Invalid\): error when applying "STDIN": ConfigMap "Bad_Name" is invalid: metadata.name/,
  )
})

test.run()
