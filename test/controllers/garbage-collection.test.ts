// Cascading deletion and namespace deletion in the real plane (in process, plain HTTP on
// loopback, scheduler off: pods stay Pending), driven by the stock kubectl: delete deployment
// with --cascade=orphan, foreground and background, and delete namespace — each as Kubernetes
// does it, the garbage collector and the namespace controller doing the cascade after the API
// request. A finalizer of our own ("example.com/hold") holds one object, so the states in between
// can be seen: an owner terminating with foregroundDeletion, a namespace Terminating with its
// conditions.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryLogger } from '../../src/core/index.ts'
import { createPlane, type Plane } from '../../src/plane/index.ts'
import type { Condition, KubeObject, Namespace } from '../../src/api/index.ts'
import { asyncKubectl, until } from './harness.ts'

const haveKubectl = spawnSync('kubectl', ['version', '--client']).status === 0
const dir = mkdtempSync(join(tmpdir(), 'shoal-gc-'))
const { kubectl, writeKubeconfig } = asyncKubectl(dir)
let plane: Plane
const items = async (...args: string[]): Promise<KubeObject[]> =>
  JSON.parse(await kubectl('get', ...args, '-o', 'json')).items
const one = async <T extends KubeObject = KubeObject>(...args: string[]): Promise<T> =>
  JSON.parse(await kubectl('get', ...args, '-o', 'json'))

const deployment = (ns = 'default') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${ns}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "hello:1"}]
`

/** applies the Deployment and waits for its ReplicaSet and both pods */
async function deployed(ns = 'default'): Promise<void> {
  writeFileSync(join(dir, `web-${ns}.yaml`), deployment(ns))
  await kubectl('apply', '-f', join(dir, `web-${ns}.yaml`))
  await until('the pods are there', async () => (await items('pods', '-n', ns)).length === 2)
}

const hold = (kind: string, name: string, ns = 'default') =>
  kubectl(
    'patch',
    kind,
    name,
    '-n',
    ns,
    '--type=merge',
    '-p',
    '{"metadata":{"finalizers":["example.com/hold"]}}',
  )
const release = (kind: string, name: string, ns = 'default') =>
  kubectl('patch', kind, name, '-n', ns, '--type=merge', '-p', '{"metadata":{"finalizers":null}}')

if (!haveKubectl) test('garbage collection e2e', () => console.log('SKIPPED: no kubectl on PATH'))
else {
  test.before(async () => {
    plane = await createPlane({
      dataDir: join(dir, 'data'),
      listen: '127.0.0.1:0',
      insecureHttp: true,
      scheduler: false,
      logger: process.env.DEBUG_LOG ? undefined : memoryLogger(),
    })
    writeKubeconfig(plane.url)
  })

  test.after(async () => {
    await plane?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test('--cascade=orphan: the Deployment goes, its ReplicaSet and pods stay, no longer owned', async () => {
    await deployed()
    assert.match(
      await kubectl('delete', 'deployment', 'web', '--cascade=orphan'),
      /deployment.apps "web" deleted/,
    )
    assert.equal(await items('deployments'), [])
    const [rs] = await items('rs')
    assert.is(rs.metadata.ownerReferences, undefined, 'the ReplicaSet let go')
    assert.is((await items('pods')).length, 2, 'the pods stay')
    // the ReplicaSet deleted in the background takes its pods along
    await kubectl('delete', 'rs', rs.metadata.name!, '--cascade=background')
    await until('the pods are gone', async () => !(await items('pods')).length)
  })

  test('--cascade=foreground: the Deployment waits, terminating, until its ReplicaSet and pods are gone', async () => {
    await deployed()
    const [pod] = await items('pods')
    await hold('pod', pod.metadata.name!)
    await kubectl('delete', 'deployment', 'web', '--cascade=foreground', '--wait=false')
    await until('the pods are terminating', async () =>
      (await items('pods')).every((p) => p.metadata.deletionTimestamp),
    )
    const d = await one('deployment', 'web')
    assert.ok(d.metadata.deletionTimestamp)
    assert.equal(d.metadata.finalizers, ['foregroundDeletion'])
    const [rs] = await items('rs')
    assert.equal(rs.metadata.finalizers, ['foregroundDeletion'], 'the ReplicaSet, in turn')
    assert.equal(
      (await items('pods')).map((p) => p.metadata.name),
      [pod.metadata.name],
    )
    await release('pod', pod.metadata.name!)
    await kubectl('wait', '--for=delete', 'deployment/web', '--timeout=30s')
    assert.equal(await items('rs'), [], 'gone before their owner')
    assert.equal(await items('pods'), [])
  })

  test('--cascade=background (the default): the Deployment goes now, the rest after it', async () => {
    await deployed()
    await kubectl('delete', 'deployment', 'web')
    assert.equal(await items('deployments'), [])
    await until(
      'ReplicaSets and pods are gone',
      async () => !(await items('rs')).length && !(await items('pods')).length,
    )
  })

  test('delete namespace: Terminating with its conditions while something holds, then emptied and gone', async () => {
    await kubectl('create', 'namespace', 'team')
    assert.equal((await one<Namespace>('namespace', 'team')).spec, { finalizers: ['kubernetes'] })
    await deployed('team')
    await kubectl('create', 'configmap', 'held', '-n', 'team')
    await hold('configmap', 'held', 'team')
    await kubectl('delete', 'namespace', 'team', '--wait=false')
    await until(
      'only the held ConfigMap is left',
      async () =>
        !(await items('pods', '-n', 'team')).length &&
        !(await items('deployments', '-n', 'team')).length,
    )
    const refused = await kubectl('create', 'configmap', 'late', '-n', 'team').catch(
      (err: Error) => err.message,
    )
    assert.match(
      refused,
      /unable to create new content in namespace team because it is being terminated/,
    )
    let ns = await one<Namespace>('namespace', 'team')
    await until('the conditions say what remains', async () => {
      ns = await one<Namespace>('namespace', 'team')
      return !!ns.status?.conditions?.some((c) => c.type === 'NamespaceFinalizersRemaining')
    })
    assert.is(ns.status?.phase, 'Terminating')
    const cond = Object.fromEntries(
      (ns.status?.conditions ?? []).map((c: Condition) => [c.type, `${c.status}: ${c.message}`]),
    )
    assert.is(
      cond.NamespaceContentRemaining,
      'True: Some resources are remaining: configmaps. has 1 resource instances',
    )
    assert.is(
      cond.NamespaceFinalizersRemaining,
      'True: Some finalizers are remaining: example.com/hold in 1 resource instances',
    )
    assert.match(await kubectl('get', 'namespace', 'team'), /team\s+Terminating\s/)
    await release('configmap', 'held', 'team')
    await kubectl('wait', '--for=delete', 'namespace/team', '--timeout=30s')
    const gone = await kubectl('get', 'namespace', 'team').catch((err: Error) => err.message)
    assert.match(gone, /namespaces "team" not found/)
  })

  test('kubectl delete namespace waits until it is emptied and gone', async () => {
    await kubectl('create', 'namespace', 'brief')
    await deployed('brief')
    assert.match(await kubectl('delete', 'namespace', 'brief'), /namespace "brief" deleted/)
    const gone = await kubectl('get', 'namespace', 'brief').catch((err: Error) => err.message)
    assert.match(gone, /namespaces "brief" not found/)
    assert.equal(await items('pods', '-n', 'brief'), [])
  })
}

test.run()
