// shoal drain against a real plane with no controllers (the pods' owners stay as written): pods
// of a DaemonSet and pods no controller owns stop the drain unless --ignore-daemonsets and
// --force; then the node is cordoned and every other pod on it evicted, pods elsewhere left.
// shoal top without metrics says so, exit 1.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryLogger } from '../../src/core/index.ts'
import { createPlane, type Plane } from '../../src/plane/index.ts'
import { resourceByKind, type Pod } from '../../src/api/index.ts'
import { cli, writePlainKubeconfig } from './harness.ts'

const PODS = resourceByKind('Pod')!
const NODES = resourceByKind('Node')!
const dir = mkdtempSync(join(tmpdir(), 'shoal-cli-drain-'))
const kubeconfig = join(dir, 'kubeconfig')
const shoal = cli({ HOME: dir, KUBECONFIG: kubeconfig })
let plane: Plane

function pod(name: string, node: string, owner?: string): Pod {
  const [kind, uid] = owner?.split('/') ?? []
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      ...(owner
        ? {
            ownerReferences: [
              { apiVersion: 'apps/v1', kind, name: `${name}-owner`, uid, controller: true },
            ],
          }
        : {}),
    },
    spec: { nodeName: node, containers: [{ name: 'c', image: 'hello:1' }] },
  } as Pod
}

test.before(async () => {
  plane = await createPlane({
    dataDir: join(dir, 'data'),
    listen: '127.0.0.1:0',
    insecureHttp: true,
    scheduler: false,
    controllers: false,
    logger: memoryLogger(),
  })
  writePlainKubeconfig(kubeconfig, plane.url)
  for (const name of ['pi-d', 'pi-e'])
    await plane.objects.create(NODES, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name },
    } as never)
  for (const p of [
    pod('daemon', 'pi-d', 'DaemonSet/u-1'),
    pod('replica', 'pi-d', 'ReplicaSet/u-2'),
    pod('bare', 'pi-d'),
    pod('elsewhere', 'pi-e', 'ReplicaSet/u-2'),
  ])
    await plane.objects.create(PODS, p as never)
})

test.after(async () => {
  await plane?.close()
  rmSync(dir, { recursive: true, force: true })
})

const active = async () =>
  (await plane.objects.list(PODS, {})).items
    .filter((p) => !p.metadata.deletionTimestamp)
    .map((p) => p.metadata.name)
    .sort()

test('drain refuses DaemonSet pods and bare pods without the flags, naming them', async () => {
  const r = await shoal(['drain', 'pi-d'])
  assert.is(r.code, 1)
  assert.is(r.out, 'node/pi-d cordoned\n')
  assert.match(
    r.err,
    /^error: unable to drain node "pi-d" due to error: cannot delete Pods that declare no controller \(use --force to override\): default\/bare, cannot delete DaemonSet-managed Pods \(use --ignore-daemonsets to ignore\): default\/daemon,/,
  )
  assert.equal(await active(), ['bare', 'daemon', 'elsewhere', 'replica'])
})

test('drain --ignore-daemonsets --force evicts the rest of the node, leaves the others', async () => {
  const r = await shoal(['drain', 'pi-d', '--ignore-daemonsets', '--force'])
  assert.is(r.code, 0, r.err)
  assert.is(
    r.out,
    'node/pi-d already cordoned\npod/bare evicted\npod/replica evicted\nnode/pi-d drained\n',
  )
  assert.is(r.err, 'Warning: ignoring DaemonSet-managed Pods: default/daemon\n')
  assert.equal(await active(), ['daemon', 'elsewhere'])
  const node = await plane.objects.get(NODES, { name: 'pi-d' })
  assert.is((node as { spec?: { unschedulable?: boolean } }).spec?.unschedulable, true)
})

/** POST pods/NAME/eviction as kubectl drain sends it */
const evict = (name: string, body: unknown) =>
  fetch(`${plane.url}/api/v1/namespaces/default/pods/${name}/eviction`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

const eviction = (name: string) => ({
  apiVersion: 'policy/v1',
  kind: 'Eviction',
  metadata: { name, namespace: 'default' },
})

test('pods/eviction: served in discovery as policy/v1; a graceful delete, 201 Success', async () => {
  const discovery = await (await fetch(`${plane.url}/api/v1`)).json()
  assert.equal(
    discovery.resources.find((r: { name: string }) => r.name === 'pods/eviction'),
    {
      name: 'pods/eviction',
      singularName: '',
      namespaced: true,
      group: 'policy',
      version: 'v1',
      kind: 'Eviction',
      verbs: ['create'],
    },
  )
  await plane.objects.create(PODS, pod('evictee', 'pi-e', 'ReplicaSet/u-2') as never)
  const res = await evict('evictee', eviction('evictee'))
  assert.is(res.status, 201)
  assert.equal(await res.json(), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    message: '',
    code: 201,
  })
  assert.not.ok((await active()).includes('evictee'))
})

test('pods/eviction refuses what is not an Eviction of that pod, and a pod not there', async () => {
  const wrongKind = await evict('elsewhere', { apiVersion: 'v1', kind: 'Pod' })
  assert.is(wrongKind.status, 400)
  assert.match(
    (await wrongKind.json()).message,
    'pods/eviction: the body must be a policy/v1 Eviction, not "v1" "Pod"',
  )
  const otherName = await evict('elsewhere', eviction('daemon'))
  assert.is(otherName.status, 400)
  assert.match((await otherName.json()).message, 'name in URL does not match name in Eviction')
  const missing = await evict('nobody', eviction('nobody'))
  assert.is(missing.status, 404)
  assert.match((await missing.json()).message, 'pods "nobody" not found')
  assert.ok((await active()).includes('elsewhere'))
})

test("top without metrics: kubectl's error, exit 1", async () => {
  const nodes = await shoal(['top', 'nodes'])
  assert.equal([nodes.code, nodes.err], [1, 'error: metrics not available yet\n'])
  const pods = await shoal(['top', 'pods'])
  assert.equal(
    [pods.code, pods.err],
    [1, 'error: Metrics not available for pods in namespace default\n'],
  )
})

test.run()
