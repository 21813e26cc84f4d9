import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { resourceByKind, type KubeObject } from '../../../api/index.ts'
import { FakeClock, memoryLogger } from '../../../core/index.ts'
import { FakeObjects } from './fake-objects.ts'
import { Informer } from './informer.ts'
import type { Change, Source, WatchSink } from './source.ts'

const PODS = resourceByKind('Pod')!
const pod = (name: string, owner?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'default',
    ...(owner
      ? {
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: owner, controller: true },
          ],
        }
      : {}),
  },
})

function recording(inf: Informer) {
  const seen: string[] = []
  inf.on({
    added: (o) => seen.push(`added ${o.metadata.name}`),
    updated: (o) => seen.push(`updated ${o.metadata.name}`),
    deleted: (o) => seen.push(`deleted ${o.metadata.name}`),
  })
  return seen
}

test('list then watch: the cache follows; lookups by namespace and by controller owner', async () => {
  const fake = new FakeObjects()
  fake.seed(PODS, pod('a', 'rs-1'), pod('b'))
  const inf = new Informer(fake, PODS, { clock: new FakeClock(), log: memoryLogger() })
  const seen = recording(inf)
  await inf.start()
  await fake.create(PODS, pod('c', 'rs-1'))
  const c = fake.get(PODS, 'default/c')!
  await fake.replace(PODS, c, { ...c, metadata: { ...c.metadata, ownerReferences: [] } })
  fake.delete(PODS, 'default/a')
  assert.equal(seen, ['added a', 'added b', 'added c', 'updated c', 'deleted a'])
  assert.equal(
    inf.cache
      .byNamespace('default')
      .map((p) => p.metadata.name)
      .sort(),
    ['b', 'c'],
  )
  assert.equal(inf.cache.byOwner('rs-1'), [], 'c was released, a deleted')
  assert.equal(
    inf.cache
      .orphans('default')
      .map((p) => p.metadata.name)
      .sort(),
    ['b', 'c'],
  )
  assert.is(inf.revision, fake.revision)
})

/** a source whose watch the test ends and feeds by hand */
class EndingSource implements Source {
  fake = new FakeObjects()
  sinks: WatchSink[] = []
  list = (info: typeof PODS) => this.fake.list(info)
  watch(_info: typeof PODS, _from: number, sink: WatchSink) {
    this.sinks.push(sink)
    return { cancel() {} }
  }
}

test('a watch that ends: listed again, only the difference told, nothing twice', async () => {
  const src = new EndingSource()
  src.fake.seed(PODS, pod('a'), pod('b'))
  const inf = new Informer(src, PODS, { clock: new FakeClock(), log: memoryLogger() })
  const seen = recording(inf)
  await inf.start()
  // while the watch is down: a deleted, b changed, c created
  src.fake.delete(PODS, 'default/a')
  const b = src.fake.get(PODS, 'default/b')!
  await src.fake.replace(PODS, b, { ...b, metadata: { ...b.metadata, labels: { x: '1' } } })
  await src.fake.create(PODS, pod('c'))
  src.sinks[0].ended(new Error('compacted'))
  await new Promise((r) => setImmediate(r))
  assert.equal(seen, ['added a', 'added b', 'updated b', 'added c', 'deleted a'])
  // the new watch replays what the relist already had: dropped
  const replay: Change[] = [
    { key: 'default/c', obj: src.fake.get(PODS, 'default/c'), revision: src.fake.revision },
  ]
  src.sinks[1].changes(replay)
  assert.is(seen.length, 5)
})

test('seen(revision) waits for the write to reach the cache', async () => {
  const src = new EndingSource()
  const inf = new Informer(src, PODS, { clock: new FakeClock(), log: memoryLogger() })
  await inf.start()
  const created = await src.fake.create(PODS, pod('a'))
  let done = false
  const waiting = inf.seen(Number(created.metadata.resourceVersion)).then(() => (done = true))
  await Promise.resolve()
  assert.not.ok(done)
  src.sinks[0].changes([
    { key: 'default/a', obj: created, revision: Number(created.metadata.resourceVersion) },
  ])
  await waiting
  assert.ok(inf.cache.get('default/a'))
})

test.run()
