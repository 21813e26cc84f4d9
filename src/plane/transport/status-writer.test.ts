import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { decode } from 'cbor-x'
import type { KubeObject, Pod, PodStatusUpdate, StatusReport } from '../../api/index.ts'
import { memoryLogger } from '../../core/index.ts'
import type { Bus } from './bus.ts'
import type { Objects } from './ports.ts'
import { StatusWriter } from './status-writer.ts'

/** pods in memory whose writes finish only when the test says so */
function heldObjects() {
  const pods = new Map<string, Pod>()
  const writes: { what: string; finish: () => void }[] = []
  for (const name of ['web', 'api'])
    pods.set(name, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', uid: `u-${name}`, resourceVersion: '1' },
      spec: { nodeName: 'pi-1', containers: [{ name: 'app', image: 'hello:1' }] },
    } as Pod)
  const objects = {
    get: (_info: unknown, where: { name: string }) => Promise.resolve(pods.get(where.name)),
    replace: (_info: unknown, _current: KubeObject, next: KubeObject) =>
      new Promise<KubeObject>((resolve) => {
        const pod = next as Pod
        writes.push({
          what: `${pod.metadata.name}:${pod.status?.phase}`,
          finish: () => {
            pods.set(pod.metadata.name!, pod)
            resolve(pod)
          },
        })
      }),
  } as unknown as Objects
  return { objects, pods, writes }
}

function recordingBus() {
  const acks: string[] = []
  const bus = {
    publish: (_topic: string, payload: Uint8Array) => {
      acks.push((decode(payload) as { id: string }).id)
      return Promise.resolve()
    },
  } as unknown as Bus
  return { bus, acks }
}

const report = (id: string, ...pods: [string, string][]): StatusReport => ({
  type: 'status',
  id,
  pods: pods.map(([name, phase]): PodStatusUpdate => ({
    ...{ uid: `u-${name}`, namespace: 'default', name },
    status: { phase: phase as 'Running' },
  })),
})

const turns = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r))
}

test("a node's reports are written side by side, each pod's statuses in the order they came", async () => {
  const { objects, pods, writes } = heldObjects()
  const { bus, acks } = recordingBus()
  const w = new StatusWriter({ objects, bus, log: memoryLogger() })
  w.write('pi-1', report('r-1', ['web', 'Pending']))
  w.write('pi-1', report('r-2', ['api', 'Running']))
  w.write('pi-1', report('r-3', ['web', 'Running']))
  await turns()
  assert.equal(
    writes.map((x) => x.what),
    ['web:Pending', 'api:Running'],
    "r-2 does not wait for r-1; r-3 waits for r-1's write of the same pod",
  )
  writes[1].finish()
  await turns()
  assert.equal(acks, ['r-2'], 'acknowledged before the report sent ahead of it')
  writes[0].finish()
  await turns()
  assert.equal(acks, ['r-2', 'r-1'])
  assert.equal(writes[2]?.what, 'web:Running')
  writes[2].finish()
  await w.idle()
  assert.equal(acks, ['r-2', 'r-1', 'r-3'])
  assert.is(pods.get('web')!.status?.phase, 'Running', 'the later status is the one stored')
})

test.run()
