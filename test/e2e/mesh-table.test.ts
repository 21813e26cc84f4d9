// The mesh table on a fleet of real processes: a plane and two agents running a real component.
// A Deployment and a NodePort Service applied: both agents hold a table (read from their data
// dirs, where they keep what they took) listing the Service, its node port and every replica with
// the loopback port its instance serves on; one agent killed with -9: the other's table shows
// that node offline (its Last Will); the plane stopped and the remaining agent restarted: it
// routes by the table it loaded from disk.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { MeshService, MeshTable } from '../../src/api/index.ts'
import { startFleet, type Fleet } from './fleet.ts'
import { meshPortsOf, pushImage } from './plane-process.ts'

let fleet: Fleet

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          { name: 'main', image: 'hello-wat:1', ports: [{ name: 'http', containerPort: 8080 }] },
        ],
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: 'kubernetes.io/hostname',
            whenUnsatisfiable: 'DoNotSchedule',
            labelSelector: { matchLabels: { app: 'web' } },
          },
        ],
      },
    },
  },
}

const service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default' },
  spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] },
}

const tableOf = (node: string): MeshTable | undefined => {
  const path = join(fleet.agents.get(node)!.dataDir, 'mesh.json')
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as MeshTable) : undefined
}
const webOf = (t: MeshTable | undefined): MeshService | undefined =>
  t?.services.find((s) => s.namespace === 'default' && s.name === 'web')

/** each running pod's node and node-local port, as the plane stored them */
async function podPorts(): Promise<{ pod: string; node: string; port: number }[]> {
  const list = await fleet.get('/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')
  return (list?.items ?? [])
    .filter((p: any) => p.metadata.annotations?.['shoal.dev/ports'])
    .map((p: any) => ({
      pod: `default/${p.metadata.name}`,
      node: p.spec.nodeName,
      port: JSON.parse(p.metadata.annotations['shoal.dev/ports']).main,
    }))
    .sort((a: { pod: string }, b: { pod: string }) => (a.pod < b.pod ? -1 : 1))
}

test.before(async () => {
  fleet = await startFleet(['pi-1', 'pi-2'])
  await pushImage(fleet.call, 'hello-wat', '1')
})

test.after(async () => {
  await fleet?.stop()
})

test('both agents hold the table: the Service, its node port, each replica with its loopback port', async () => {
  for (const [path, obj] of [
    ['/apis/apps/v1/namespaces/default/deployments', deployment],
    ['/api/v1/namespaces/default/services', service],
  ] as const) {
    const r = await fleet.call('POST', path, JSON.stringify(obj))
    assert.is(r.status, 201, r.text)
  }
  const svc = await fleet.get('/api/v1/namespaces/default/services/web')
  const nodePort = svc.spec.ports[0].nodePort
  assert.ok(nodePort >= 30000 && nodePort <= 32767, `node port ${nodePort}`)
  const running = await fleet.waitFor('2 pods serving', async () => {
    const p = await podPorts()
    return p.length === 2 && p
  })
  assert.equal(running.map((p) => p.node).sort(), ['pi-1', 'pi-2'])
  const want = running.map((p) => ({ pod: p.pod, node: p.node, ports: { '': p.port } }))
  for (const node of ['pi-1', 'pi-2']) {
    const web = await fleet.waitFor(`${node}'s table lists both replicas ready`, () => {
      const w = webOf(tableOf(node))
      return w?.endpoints.length === 2 && w.endpoints.every((e) => e.ready) && w
    })
    assert.equal(
      web.endpoints.map((e) => ({ pod: e.pod, node: e.node, ports: e.ports })),
      want,
    )
    assert.equal(web.ports, [{ name: '', port: 80, protocol: 'TCP', nodePort }])
    assert.equal([web.type, web.exposed], ['NodePort', true])
    // each node's mesh port is the one its mTLS listener bound (the agents ask for any free one)
    const tls = (n: string) => meshPortsOf(fleet.agents.get(n)!.output())!.tls
    assert.ok(tls('pi-1')! > 0 && tls('pi-2') !== tls('pi-1'))
    assert.equal(
      tableOf(node)!.nodes.map((n) => [n.name, n.meshPort, n.online]),
      [
        ['pi-1', tls('pi-1'), true],
        ['pi-2', tls('pi-2'), true],
      ],
    )
  }
})

test('an agent killed with -9: the other agent’s table shows its node offline', async () => {
  await fleet.agents.get('pi-2')!.stop('SIGKILL')
  await fleet.waitFor(
    "pi-1's table shows pi-2 offline",
    () => tableOf('pi-1')?.nodes.find((n) => n.name === 'pi-2')?.online === false,
    30_000,
  )
  assert.is(tableOf('pi-1')!.nodes.find((n) => n.name === 'pi-1')!.online, true)
})

test('plane stopped, the remaining agent restarted: its table is loaded from disk', async () => {
  const held = tableOf('pi-1')!
  await fleet.plane().stop()
  await fleet.agents.get('pi-1')!.stop('SIGTERM')
  const again = fleet.startAgent('pi-1') // its output so far is kept: count the starts
  const starts = () =>
    again
      .output()
      .split('\n')
      .filter((l) => l.includes('agent started'))
  await fleet.waitFor('the agent started again', () => starts().length === 2, 30_000)
  const line = starts()[1]
  assert.match(line, `"meshRevision":${held.revision}`, line)
  assert.equal(tableOf('pi-1'), held)
})

test.run()
