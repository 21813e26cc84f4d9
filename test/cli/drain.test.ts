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
