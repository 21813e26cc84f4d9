// The scheduler over a fake object store (the exact writes it makes), on a fake clock: a pod
// bound and its Scheduled event; a pod placed nowhere gets its condition and one event, a repeat
// only counts; after a watch that ended (compaction) the pods are listed again and a pod
// deleted meanwhile no longer holds its node's room.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ConflictError, FakeClock, memoryLogger } from '../../core/index.ts'
import type { Event, KubeObject, Node, Pod, ResourceInfo } from '../../api/index.ts'
import type { KeyValue, Store, WatchHandlers } from '../store/index.ts'
import { Scheduler } from './scheduler.ts'
import type { Objects } from './ports.ts'

const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o))
const keyOf = (o: KubeObject, kind = o.kind) =>
  `/registry/core/${kind === 'Node' ? 'nodes' : kind === 'Pod' ? 'pods' : 'events'}/${o.metadata.namespace ? o.metadata.namespace + '/' : ''}${o.metadata.name}`

class FakeObjects implements Objects {
  readonly objects = new Map<string, KubeObject>()
  readonly writes: string[] = []
  readonly watches: { prefix: string; on: WatchHandlers }[] = []
  rev = 1
  readonly store = {
    watch: (sel: { prefix: string }, _o: unknown, on: WatchHandlers) => {
      this.watches.push({ prefix: sel.prefix, on })
      return { id: this.watches.length, cancel: () => {} }
    },
  } as unknown as Store

  put(o: KubeObject, kind = o.kind!): KubeObject {
    const key = keyOf(o, kind)
    const stored = { ...o, kind, metadata: { ...o.metadata, resourceVersion: String(++this.rev) } }
    this.objects.set(key, stored)
    const kv: KeyValue = {
      key,
      value: enc(stored),
      createRevision: 1,
      modRevision: this.rev,
      version: 1,
      lease: 0,
    }
    for (const w of this.watches)
      if (key.startsWith(w.prefix))
        w.on.onEvents({ events: [{ type: 'put', kv }], revision: this.rev })
    return stored
  }
  remove(key: string): void {
    this.objects.delete(key)
    this.rev++
  }
  decode(_info: ResourceInfo, kv: KeyValue): KubeObject {
    return JSON.parse(new TextDecoder().decode(kv.value))
  }
  async list(info: ResourceInfo) {
    const items = [...this.objects.values()].filter((o) => o.kind === info.kind)
    return { items: structuredClone(items), revision: this.rev }
  }
  async get(info: ResourceInfo, where: { namespace?: string; name: string }) {
    return this.objects.get(keyOf({ metadata: where }, info.kind))
  }
  async create(info: ResourceInfo, obj: KubeObject) {
    this.writes.push(`create ${info.kind} ${(obj as Event).reason ?? ''}`.trim())
    return this.put(obj, info.kind)
  }
  async replace(info: ResourceInfo, cur: KubeObject, next: KubeObject) {
    const stored = this.objects.get(keyOf(cur, info.kind))
    if (stored?.metadata.resourceVersion !== cur.metadata.resourceVersion)
      throw new ConflictError('changed')
    const what =
      info.kind === 'Pod'
        ? (next as Pod).spec.nodeName
          ? `bound to ${(next as Pod).spec.nodeName}`
          : 'condition'
        : `count ${(next as Event).count}`
    const name = info.kind === 'Event' ? (cur as Event).involvedObject.name : cur.metadata.name
    this.writes.push(`replace ${info.kind} ${name}: ${what}`)
    return this.put(next, info.kind)
  }
  now() {
    return '2026-12-05T10:00:00Z'
  }
}

const node = (name: string, pods = '10'): Node => ({
  kind: 'Node',
  metadata: { name },
  spec: {},
  status: {
    allocatable: { cpu: '2', memory: '1Gi', pods },
    conditions: [{ type: 'Ready', status: 'True' }],
  },
})
const pod = (name: string, nodeName?: string): Pod => ({
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}` },
  spec: { containers: [{ name: 'm', image: 'x' }], nodeName },
})
const settle = () => new Promise((r) => setTimeout(r, 10))

async function started(objects: FakeObjects) {
  const clock = new FakeClock()
  const s = new Scheduler(objects, { log: memoryLogger(), clock })
  await s.start()
  await settle()
  return { s, clock }
}

test('a pod is bound (one CAS write) and gets a Scheduled event', async () => {
  const o = new FakeObjects()
  o.put(node('pi-1'))
  o.put(pod('web'))
  const { s } = await started(o)
  assert.equal(o.writes, ['replace Pod web: bound to pi-1', 'create Event Scheduled'])
  const ev = [...o.objects.values()].find((x) => x.kind === 'Event') as Event
  assert.is(ev.message, 'Successfully assigned default/web to pi-1')
  await s.stop()
})

test('placed nowhere: the condition once, one event; a retry that fails alike only counts', async () => {
  const o = new FakeObjects()
  o.put(pod('web'))
  const { s, clock } = await started(o)
  assert.equal(o.writes, ['create Event FailedScheduling', 'replace Pod web: condition'])
  const p = o.objects.get('/registry/core/pods/default/web') as Pod
  assert.equal(p.status?.conditions, [
    {
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message: 'no nodes available to schedule pods',
      lastTransitionTime: '2026-12-05T10:00:00Z',
    },
  ])
  o.writes.length = 0
  clock.advance(61_000) // its longest wait as unschedulable
  await settle()
  assert.equal(o.writes, ['replace Event web: count 2'])
  o.writes.length = 0
  o.put(node('pi-1'))
  clock.advance(2000)
  await settle()
  assert.equal(o.writes, ['replace Pod web: bound to pi-1', 'create Event Scheduled'])
  await s.stop()
})

test('listed again after the watch ended: a pod deleted meanwhile frees its room', async () => {
  const o = new FakeObjects()
  o.put(node('pi-1', '1'))
  o.put(pod('old', 'pi-1'))
  o.put(pod('new'))
  const { s, clock } = await started(o)
  assert.equal(o.writes, ['create Event FailedScheduling', 'replace Pod new: condition'])
  o.writes.length = 0
  o.remove('/registry/core/pods/default/old') // a delete the watch never delivered
  const podWatch = o.watches.find((w) => w.prefix.includes('pods'))!
  podWatch.on.onCancel!(new Error('compacted'))
  await settle()
  clock.advance(1000)
  await settle()
  assert.equal(o.writes, ['replace Pod new: bound to pi-1', 'create Event Scheduled'])
  await s.stop()
})

test.run()
