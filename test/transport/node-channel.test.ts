// The plane's node channel against the real log store, with an in-memory bus: the exact
// messages it publishes and the exact writes it makes for what nodes send.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { DIGEST, hello, NODES, openChannelFixture, PODS, type Sent } from './channel-fixture.ts'
import { resourceByKind, type Lease, type Pod } from '../../src/api/index.ts'
import { DESIRED_WINDOW } from '../../src/plane/transport/desired-sender.ts'

type Fixture = Awaited<ReturnType<typeof openChannelFixture>>

async function rejects(p: () => Promise<unknown>, re: RegExp) {
  try {
    await p()
  } catch (err) {
    assert.match((err as Error).message, re)
    return
  }
  assert.unreachable(`expected a rejection matching ${re}`)
}

const desiredOf = (sent: Sent[]) => sent.map((s) => s.msg)
const podNames = (m: Record<string, any>) => m.pods.map((p: { name: string }) => p.name)

async function withFixture(name: string, run: (f: Fixture) => Promise<void>) {
  const f = await openChannelFixture(name)
  try {
    await run(f)
  } finally {
    await f.close()
  }
}

test('a pod bound to a node: its desired state, numbered by the store revision, images resolved', () =>
  withFixture('nc-create', async (f) => {
    const pod = await f.pod('web', 'pi-1', {
      containers: [
        { name: 'app', image: 'hello:1' },
        { name: 'pinned', image: 'sha256:' + 'e'.repeat(64) },
        { name: 'side', image: 'missing:2' },
      ],
    })
    await f.pod('pending') // no node: nobody is told
    await f.settle()
    const sent = f.bus.take()
    assert.equal(
      sent.map((s) => s.topic),
      ['shoal/v1/nodes/pi-1/desired'],
    )
    const m = sent[0].msg
    assert.is(m.type, 'desired')
    assert.is(m.revision, Number(pod.metadata.resourceVersion))
    assert.equal(m.pods, [
      {
        uid: pod.metadata.uid,
        namespace: 'default',
        name: 'web',
        resourceVersion: pod.metadata.resourceVersion,
        spec: pod.spec,
        images: {
          app: { digest: DIGEST },
          pinned: { digest: 'sha256:' + 'e'.repeat(64) },
          side: { error: 'image missing:2 is not in the registry' },
        },
      },
    ])
  }))

test('binding, moving and deleting a pod: each node whose set changed is told, at that revision', () =>
  withFixture('nc-move', async (f) => {
    const pending = await f.pod('web')
    await f.settle()
    assert.equal(f.bus.take(), [])
    const bound = (await f.objects.replace(PODS, pending, {
      ...pending,
      spec: { ...pending.spec, nodeName: 'pi-1' },
    } as Pod)) as Pod
    await f.settle()
    let sent = desiredOf(f.bus.take('pi-1', 'desired'))
    assert.equal(
      sent.map((m) => [m.revision, podNames(m)]),
      [[Number(bound.metadata.resourceVersion), ['web']]],
    )
    const moved = (await f.objects.replace(PODS, bound, {
      ...bound,
      spec: { ...bound.spec, nodeName: 'pi-2' },
    } as Pod)) as Pod
    await f.settle()
    const rev = Number(moved.metadata.resourceVersion)
    sent = f.bus.take().map((s) => ({ topic: s.topic, ...s.msg }))
    assert.equal(sent.map((m) => [m.topic, m.revision, podNames(m)]).sort(), [
      ['shoal/v1/nodes/pi-1/desired', rev, []],
      ['shoal/v1/nodes/pi-2/desired', rev, ['web']],
    ])
    const del = await f.store.delete({ key: '/registry/core/pods/default/web' })
    await f.settle()
    sent = desiredOf(f.bus.take())
    assert.equal(
      sent.map((m) => [m.revision, podNames(m)]),
      [[del.revision, []]],
    )
  }))

test('a write the node cannot see (a status) sends nothing; a spec change sends again', () =>
  withFixture('nc-status-echo', async (f) => {
    const pod = await f.pod('web', 'pi-1')
    await f.settle()
    f.bus.take()
    const withStatus = (await f.objects.replace(PODS, pod, {
      ...pod,
      status: { phase: 'Running' },
    } as Pod)) as Pod
    await f.settle()
    assert.equal(f.bus.take(), [], 'no echo of a status write')
    const changed = (await f.objects.replace(PODS, withStatus, {
      ...withStatus,
      spec: { ...withStatus.spec, activeDeadlineSeconds: 60 },
    } as Pod)) as Pod
    await f.settle()
    const sent = desiredOf(f.bus.take('pi-1', 'desired'))
    assert.equal(
      sent.map((m) => m.revision),
      [Number(changed.metadata.resourceVersion)],
    )
  }))

test('a node online is sent each change as the difference from what it was last sent', () =>
  withFixture('nc-change', async (f) => {
    const web = await f.pod('web', 'pi-1')
    await f.settle()
    const first = Number(web.metadata.resourceVersion)
    f.bus.deliver('pi-1', 'hello', hello(first))
    await f.settle()
    f.bus.take()
    const api = await f.pod('api', 'pi-1')
    await f.settle()
    const rev1 = Number(api.metadata.resourceVersion)
    const [change] = desiredOf(f.bus.take('pi-1', 'desired'))
    assert.is(change.type, 'desired-change')
    assert.equal([change.revision, change.base, change.removed], [rev1, first, []])
    assert.equal(podNames({ pods: change.set }), ['api'])
    await f.objects.replace(PODS, (await f.get('web'))!, {
      ...web,
      metadata: { ...web.metadata, resourceVersion: undefined, deletionTimestamp: undefined },
      status: { phase: 'Running' },
    } as Pod) // a status write: the node sees no change
    await f.settle()
    assert.equal(f.bus.take('pi-1', 'desired'), [])
    const current = (await f.get('web'))!
    await f.objects.replace(PODS, current, {
      ...current,
      metadata: { ...current.metadata, finalizers: ['x'] },
    } as Pod)
    await f.settle()
    assert.equal(f.bus.take('pi-1', 'desired'), [], 'finalizers: not in the view')
    const stored = (await f.get('api'))!
    const marked = { ...stored.metadata, deletionTimestamp: new Date().toISOString() }
    await f.objects.replace(PODS, stored, { ...stored, metadata: marked } as Pod) // no finalizers: gone
    assert.is(await f.get('api'), undefined)
    await f.settle()
    const [gone] = desiredOf(f.bus.take('pi-1', 'desired'))
    assert.equal(
      [gone.type, gone.base, gone.set, gone.removed],
      ['desired-change', rev1, [], [api.metadata.uid]],
    )
  }))

test('changes do not wait for the one before to finish publishing, up to a window; a failed one makes the next send a whole set', () =>
  withFixture('nc-window', async (f) => {
    const web = await f.pod('web', 'pi-1')
    await f.settle()
    f.bus.deliver('pi-1', 'hello', hello(Number(web.metadata.resourceVersion)))
    await f.settle()
    f.bus.take()
    f.bus.holdLeaves.add('desired') // published, never finished until release()
    const changes = () => desiredOf(f.bus.sent.filter((s) => s.topic.endsWith('/desired')))
    const until = async (what: string, ok: () => boolean) => {
      for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 5))
      assert.ok(ok(), what)
    }
    const revisions: number[] = [Number(web.metadata.resourceVersion)]
    for (let i = 1; i <= DESIRED_WINDOW; i++) {
      const p = await f.pod(`p${i}`, 'pi-1')
      revisions.push(Number(p.metadata.resourceVersion))
      await until(`change ${i} sent while ${i - 1} publish`, () => changes().length === i)
    }
    assert.equal(
      changes().map((m) => [m.type, m.base, m.revision]),
      revisions.slice(1).map((r, i) => ['desired-change', revisions[i], r]),
      'each a change on the one before, none finished',
    )
    await f.pod('late', 'pi-1') // the window is full: it waits for a publish to finish
    await new Promise((r) => setTimeout(r, 50))
    assert.is(changes().length, DESIRED_WINDOW)
    f.bus.release()
    await f.settle()
    const last = changes().at(-1)!
    assert.equal([last.type, podNames({ pods: last.set })], ['desired-change', ['late']])

    // a publish that fails: the next send is the whole set
    f.bus.take()
    const publish = f.bus.publish.bind(f.bus)
    f.bus.publish = () => Promise.reject(new Error('broker gone'))
    await f.pod('lost', 'pi-1')
    await until('the failed change tried', () =>
      f.log.lines.some((l) => /not published/.test(l.msg)),
    )
    f.bus.publish = publish
    await f.pod('after', 'pi-1')
    await f.settle()
    const [whole] = desiredOf(f.bus.take('pi-1', 'desired'))
    assert.is(whole.type, 'desired')
    assert.ok(podNames(whole).includes('lost') && podNames(whole).includes('after'))
  }))

test('resync and a node that went away: the whole set again, then changes', () =>
  withFixture('nc-resync', async (f) => {
    const web = await f.pod('web', 'pi-1')
    await f.settle()
    const rev = Number(web.metadata.resourceVersion)
    f.bus.deliver('pi-1', 'hello', hello(rev))
    await f.settle()
    f.bus.take()
    f.bus.deliver('pi-1', 'applied', { type: 'applied', revision: 3, resync: true })
    await f.settle()
    const [whole] = desiredOf(f.bus.take('pi-1', 'desired'))
    assert.equal([whole.type, whole.revision, podNames(whole)], ['desired', rev, ['web']])
    f.bus.deliver('pi-1', 'online', '0') // its Last Will
    await f.settle()
    f.bus.take()
    await f.pod('api', 'pi-1')
    await f.settle()
    const [away] = desiredOf(f.bus.take('pi-1', 'desired'))
    assert.equal([away.type, podNames(away)], ['desired', ['api', 'web']])
  }))

test('hello: a node behind (or new) gets its whole state, a node up to date gets nothing', () =>
  withFixture('nc-hello', async (f) => {
    const pod = await f.pod('web', 'pi-1')
    await f.settle()
    f.bus.take()
    const rev = Number(pod.metadata.resourceVersion)
    for (const applied of [0, rev - 1]) {
      f.bus.deliver('pi-1', 'hello', hello(applied))
      await f.settle()
      const sent = desiredOf(f.bus.take('pi-1', 'desired'))
      assert.equal(
        sent.map((m) => [m.revision, podNames(m)]),
        [[rev, ['web']]],
        `applied ${applied}`,
      )
    }
    f.bus.deliver('pi-1', 'hello', hello(rev))
    await f.settle()
    assert.equal(f.bus.take('pi-1', 'desired'), [])
    f.bus.deliver('pi-9', 'hello', hello(0)) // no pods: an empty set, as of the list
    await f.settle()
    assert.equal(
      desiredOf(f.bus.take('pi-9', 'desired')).map((m) => podNames(m)),
      [[]],
    )
  }))

test('a whole set is built and encoded once per revision: hellos reuse it until the node applies it', () =>
  withFixture('nc-encoded', async (f) => {
    const pod = await f.pod('web', 'pi-1')
    const broken = await f.pod('broken', 'pi-2', { containers: [{ name: 'app', image: 'gone:1' }] })
    await f.settle()
    f.bus.take()
    const rev = Number(pod.metadata.resourceVersion)
    const before = f.resolves
    for (let i = 0; i < 3; i++) {
      f.bus.deliver('pi-1', 'hello', hello(0)) // a fleet reconnecting: hello after hello
      await f.settle()
      assert.equal(
        desiredOf(f.bus.take('pi-1', 'desired')).map((m) => [m.revision, podNames(m)]),
        [[rev, ['web']]],
      )
    }
    assert.is(f.resolves, before, 'the set sent at the start is sent again, not rebuilt')
    f.bus.deliver('pi-1', 'applied', { type: 'applied', revision: rev })
    f.bus.deliver('pi-1', 'hello', hello(0)) // applied, then lost its state: built afresh
    await f.settle()
    assert.is(f.bus.take('pi-1', 'desired').length, 1)
    assert.is(f.resolves, before + 1, 'once applied, the kept set is dropped')

    // an image that could not be resolved: each send asks the registry again
    const rev2 = Number(broken.metadata.resourceVersion)
    for (let i = 0; i < 2; i++) {
      const n = f.resolves
      f.bus.deliver('pi-2', 'hello', hello(0))
      await f.settle()
      const [m] = desiredOf(f.bus.take('pi-2', 'desired'))
      assert.is(m.revision, rev2)
      assert.match(m.pods[0].images.app.error, /gone:1/)
      assert.is(f.resolves, n + 1, 'not kept: resolved again')
    }
  }))

test('an unapplied desired state is sent again after a timeout, until applied; bounded', () =>
  withFixture('nc-resend', async (f) => {
    f.bus.deliver('pi-1', 'hello', hello(0))
    await f.settle()
    f.bus.take()
    const pod = await f.pod('web', 'pi-1')
    await f.settle()
    const rev = Number(pod.metadata.resourceVersion)
    assert.is(f.bus.take('pi-1', 'desired').length, 1)
    f.clock.advance(4_999)
    await f.settle()
    assert.is(f.bus.take('pi-1', 'desired').length, 0, 'not before 5 s')
    f.clock.advance(1)
    await f.settle()
    assert.equal(
      desiredOf(f.bus.take('pi-1', 'desired')).map((m) => m.revision),
      [rev],
      'sent again',
    )
    f.clock.advance(10_000)
    await f.settle()
    assert.is(f.bus.take('pi-1', 'desired').length, 1, 'again after 10 s (doubling)')
    f.bus.deliver('pi-1', 'applied', { type: 'applied', revision: rev })
    await f.settle()
    f.clock.advance(600_000)
    await f.settle()
    assert.equal(f.bus.take('pi-1', 'desired'), [], 'applied: no more')

    await f.pod('api', 'pi-1')
    await f.settle()
    f.bus.take()
    let resent = 0
    for (let i = 0; i < 20; i++) {
      f.clock.advance(60_000)
      await f.settle()
      resent += f.bus.take('pi-1', 'desired').length
    }
    assert.is(resent, 8, 'at most 8 resends, then it waits for the next hello')
    assert.ok(f.log.lines.some((l) => /has not applied its desired state/.test(l.msg)))
    f.bus.deliver('pi-1', 'online', '0')
    f.bus.deliver('pi-1', 'hello', hello(rev))
    await f.settle()
    assert.is(f.bus.take('pi-1', 'desired').length, 1, 'a hello behind starts over')
  }))

test('status: written once durable, then acknowledged; the same status again is no write', () =>
  withFixture('nc-status', async (f) => {
    const pod = await f.pod('web', 'pi-1')
    await f.settle()
    f.bus.take()
    const update = {
      uid: pod.metadata.uid,
      namespace: 'default',
      name: 'web',
      status: { phase: 'Running', podIP: '10.0.0.7', startTime: '2026-01-01T00:00:00Z' },
    }
    f.bus.deliver('pi-1', 'status', { type: 'status', id: 'pi-1-1', pods: [update] })
    await f.settle()
    assert.equal(f.bus.take(), [
      { topic: 'shoal/v1/nodes/pi-1/status-ack', msg: { type: 'status-ack', id: 'pi-1-1' } },
    ])
    const stored = await f.get('web')
    assert.equal(stored?.status, update.status)
    const rev = f.store.revision
    f.bus.deliver('pi-1', 'status', { type: 'status', id: 'pi-1-2', pods: [update] })
    await f.settle()
    assert.is(f.store.revision, rev, 'unchanged status: no write')
    assert.equal(desiredOf(f.bus.take()), [{ type: 'status-ack', id: 'pi-1-2' }])
  }))

test('a status report is written and acknowledged while a desired-state publish hangs', () =>
  withFixture('nc-lanes', async (f) => {
    const pod = await f.pod('web', 'pi-1')
    await f.settle()
    f.bus.take()
    f.bus.holdLeaves.add('desired')
    await f.pod('api', 'pi-1') // its desired state goes out and is never finished
    const update = { uid: pod.metadata.uid, namespace: 'default', name: 'web' }
    const status = { phase: 'Running', podIP: '10.0.0.7' }
    f.bus.deliver('pi-1', 'status', { type: 'status', id: 's-1', pods: [{ ...update, status }] })
    for (let i = 0; i < 200 && !f.bus.sent.some((s) => s.msg.type === 'status-ack'); i++)
      await new Promise((r) => setTimeout(r, 5))
    assert.equal(
      f.bus.take().map((s) => s.msg.type),
      ['desired', 'status-ack'],
    )
    assert.equal((await f.get('web'))?.status, status)
    f.bus.release()
  }))

test("a node's status report is written and acknowledged while the one before it is not finished", () =>
  withFixture('nc-status-side', async (f) => {
    const web = await f.pod('web', 'pi-1')
    const api = await f.pod('api', 'pi-1')
    await f.settle()
    f.bus.take()
    const status = { phase: 'Running', podIP: '10.0.0.7' }
    const update = (p: Pod) => ({
      uid: p.metadata.uid,
      namespace: 'default',
      name: p.metadata.name,
      status,
    })
    const acked = async (n: number) => {
      for (
        let i = 0;
        i < 200 && f.bus.sent.filter((s) => s.msg.type === 'status-ack').length < n;
        i++
      )
        await new Promise((r) => setTimeout(r, 5))
    }
    f.bus.holdLeaves.add('status-ack')
    f.bus.deliver('pi-1', 'status', { type: 'status', id: 's-1', pods: [update(web)] })
    await acked(1) // s-1 written; its ack hangs
    f.bus.holdLeaves.clear()
    f.bus.deliver('pi-1', 'status', { type: 'status', id: 's-2', pods: [update(api)] })
    await acked(2)
    const sent = f.bus.take().map((s) => s.msg.id)
    f.bus.release()
    assert.equal(sent, ['s-1', 's-2'])
    assert.equal((await f.get('api'))?.status, status)
  }))

test("status for another node's pod, a replaced pod or a malformed status: refused, still acknowledged", () =>
  withFixture('nc-status-refused', async (f) => {
    const mine = await f.pod('mine', 'pi-1')
    const theirs = await f.pod('theirs', 'pi-2')
    await f.settle()
    f.bus.take()
    const rev = f.store.revision
    const pods = [
      {
        uid: theirs.metadata.uid,
        namespace: 'default',
        name: 'theirs',
        status: { phase: 'Failed' },
      },
      { uid: 'not-its-uid', namespace: 'default', name: 'mine', status: { phase: 'Failed' } },
      {
        uid: mine.metadata.uid,
        namespace: 'default',
        name: 'mine',
        status: { containerStatuses: [{ name: 'app', ready: true, restartCount: 2 ** 40 }] },
      },
    ]
    f.bus.deliver('pi-1', 'status', { type: 'status', id: 'r1', pods })
    await f.settle()
    assert.is(f.store.revision, rev, 'nothing written')
    assert.equal(desiredOf(f.bus.take()), [{ type: 'status-ack', id: 'r1' }])
    assert.equal((await f.get('theirs'))?.status, undefined)
    const refused = f.log.lines.filter((l) => l.msg.startsWith('status refused'))
    assert.equal(
      refused.map((l) => [l.fields?.node, l.fields?.pod]),
      [
        ['pi-1', 'default/theirs'],
        ['pi-1', 'default/mine'],
      ],
    )
    assert.is(refused[0].fields?.boundTo, 'pi-2')
  }))

test('gone for a pod being deleted removes it; a pod with finalizers keeps them', () =>
  withFixture('nc-gone', async (f) => {
    const pod = await f.pod('web', 'pi-1')
    const held = await f.pod('held', 'pi-1')
    await f.settle()
    // a pod marked for deletion as a graceful delete leaves it (deletionTimestamp, no finalizer)
    const { encode } = await import('cbor-x')
    const marked = { ...pod, metadata: { ...pod.metadata, deletionTimestamp: f.objects.now() } }
    delete marked.metadata.resourceVersion
    await f.store.put('/registry/core/pods/default/web', encode(marked))
    const heldMarked = await f.objects.replace(PODS, held, {
      ...held,
      metadata: {
        ...held.metadata,
        finalizers: ['example.com/keep'],
        deletionTimestamp: f.objects.now(),
      },
    })
    await f.settle()
    const gone = (p: Pod, name: string) => ({
      uid: p.metadata.uid,
      namespace: 'default',
      name,
      status: { phase: 'Succeeded' },
      gone: true,
    })
    f.bus.deliver('pi-1', 'status', {
      type: 'status',
      id: 'g1',
      pods: [gone(pod, 'web'), gone(heldMarked as Pod, 'held')],
    })
    await f.settle()
    assert.is(await f.get('web'), undefined, 'removed')
    const still = await f.get('held')
    assert.equal(still?.metadata.finalizers, ['example.com/keep'])
    assert.equal(still?.status, { phase: 'Succeeded' })
    assert.ok(f.bus.take('pi-1', 'status-ack').length === 1)
  }))

test('garbage payloads are logged with their node and dropped; the channel goes on', () =>
  withFixture('nc-garbage', async (f) => {
    const random = new Uint8Array(4096).map((_, i) => (i * 2654435761) >>> 24)
    const hugeArray = new Uint8Array([0x9b, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 1, 2])
    const hugeMap = new Uint8Array([0xbb, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
    const deep = new Uint8Array([...new Array(5000).fill(0x81), 0x01])
    const cases: [string, unknown][] = [
      ['hello', random],
      ['status', hugeArray],
      ['status', hugeMap],
      ['heartbeat', deep],
      ['hello', new Uint8Array(0)],
      ['status', { type: 'status', id: 'x', pods: new Array(20_000).fill({}) }],
      ['status', { type: 'hello', appliedRevision: 1, bootId: 'b', info: {} }],
      ['applied', { type: 'applied', revision: 'seven' }],
      ['hello', [1, 2, 3]],
      ['heartbeat', { type: 'heartbeat', time: 1, conditions: [{ __proto__: 1 }] }],
      ['res', { type: 'response', id: 42 }],
      ['status', new Uint8Array([0xc1])], // tag 1 without a value
      ['hello', new Uint8Array([0xd8, 0x40, 0x43, 1, 2, 3])], // a typed array
    ]
    for (const [leaf, payload] of cases) f.bus.deliver('pi-1', leaf, payload)
    f.bus.deliver('pi-1', 'online', 'maybe')
    await f.settle()
    assert.equal(f.bus.take(), [], 'nothing answered')
    const dropped = f.log.lines.filter((l) => l.msg === 'malformed message dropped')
    assert.is(dropped.length, cases.length)
    assert.ok(dropped.every((l) => l.fields?.node === 'pi-1' && typeof l.fields?.why === 'string'))
    f.bus.deliver('pi-1', 'hello', hello(0))
    await f.settle()
    assert.is(f.bus.take('pi-1', 'desired').length, 1, 'a good message after them is handled')
  }))

test('restart: the channel rebuilds from a list, and the watch after it misses nothing', () =>
  withFixture('nc-restart', async (f) => {
    await f.pod('a', 'pi-1')
    await f.pod('b', 'pi-1')
    await f.settle()
    await f.channel.close()
    await f.store.delete({ key: '/registry/core/pods/default/a' })
    await f.pod('c', 'pi-2')
    f.bus.take()
    await f.restart()
    const listed = f.store.revision
    await f.pod('d', 'pi-2') // right after the list: once
    await f.settle()
    const sent = f.bus.take().map((s) => [s.topic.split('/')[3], s.msg.revision, podNames(s.msg)])
    assert.equal(sent.sort(), [
      ['pi-1', listed, ['b']],
      ['pi-2', listed, ['c']],
      ['pi-2', listed + 1, ['c', 'd']],
    ])
  }))

test('hello and heartbeat keep the Node object; heartbeats write at most every 30 s unless a condition changes', () =>
  withFixture('nc-node', async (f) => {
    f.bus.deliver('pi-1', 'hello', hello(0))
    await f.settle()
    const node = await f.node('pi-1')
    assert.equal(node?.metadata.labels, {
      zone: 'garage',
      'kubernetes.io/hostname': 'pi-1',
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'arm64',
    })
    assert.equal(node?.status?.nodeInfo, {
      architecture: 'arm64',
      operatingSystem: 'linux',
      kernelVersion: '6.6.31-v8+',
      kubeletVersion: '0.1.0',
      bootID: 'boot-1',
    })
    assert.equal(node?.status?.capacity, { cpu: '4', memory: '4Gi', pods: '110' })
    assert.equal(node?.status?.addresses, [{ type: 'InternalIP', address: '10.0.0.7' }])
    const beat = (status: string) => ({
      type: 'heartbeat',
      time: Date.now(),
      conditions: [{ type: 'Ready', status, reason: 'AgentReady' }],
    })
    f.bus.deliver('pi-1', 'heartbeat', beat('True'))
    await f.settle()
    const ready = (await f.node('pi-1'))?.status?.conditions?.[0]
    assert.equal([ready?.type, ready?.status, ready?.reason], ['Ready', 'True', 'AgentReady'])
    assert.ok(ready?.lastHeartbeatTime && ready.lastTransitionTime)
    // the Node's own writes (its Lease is written beside it: see the Lease test)
    const nodeRev = async () => Number((await f.node('pi-1'))?.metadata.resourceVersion)
    let rev = await nodeRev()
    f.clock.advance(10_000)
    f.bus.deliver('pi-1', 'heartbeat', beat('True'))
    f.bus.deliver('pi-1', 'hello', hello(0)) // same identity: no write either
    await f.settle()
    assert.is(await nodeRev(), rev, 'nothing new within 30 s: no write')
    f.bus.deliver('pi-1', 'heartbeat', beat('False'))
    await f.settle()
    assert.ok((await nodeRev()) > rev, 'a condition changed: written at once')
    rev = await nodeRev()
    f.clock.advance(30_000)
    f.bus.deliver('pi-1', 'heartbeat', beat('False'))
    await f.settle()
    assert.ok((await nodeRev()) > rev, '30 s later: written')
  }))

test("each node's Lease in kube-node-lease: made on hello, renewed from heartbeats at most every second (the default)", () =>
  withFixture('nc-lease', async (f) => {
    const LEASES = resourceByKind('Lease', 'coordination.k8s.io')!
    const lease = async () =>
      (await f.objects.get(LEASES, { namespace: 'kube-node-lease', name: 'pi-1' })) as Lease
    const beat = { type: 'heartbeat', time: 1, conditions: [{ type: 'Ready', status: 'True' }] }
    const t0 = f.clock.now()
    f.bus.deliver('pi-1', 'hello', hello(0))
    await f.settle()
    const made = await lease()
    const node = await f.node('pi-1')
    assert.equal(made.spec, {
      holderIdentity: 'pi-1',
      leaseDurationSeconds: 40,
      renewTime: new Date(t0).toISOString().replace('Z', '000Z'), // MicroTime, the plane's clock
      acquireTime: new Date(t0).toISOString().replace('Z', '000Z'),
      leaseTransitions: 0,
    })
    assert.equal(made.metadata.ownerReferences, [
      { apiVersion: 'v1', kind: 'Node', name: 'pi-1', uid: node!.metadata.uid! },
    ])
    const writes = () => f.store.revision
    let rev = writes()
    for (let i = 0; i < 3; i++) {
      f.clock.advance(250) // heartbeats every 250 ms: 750 ms, no renewal yet
      f.bus.deliver('pi-1', 'heartbeat', beat)
      await f.settle()
    }
    assert.is((await lease()).metadata.resourceVersion, made.metadata.resourceVersion)
    assert.is(writes(), rev + 1, 'only the first heartbeat wrote (the Node conditions)')
    rev = writes()
    f.clock.advance(250)
    f.bus.deliver('pi-1', 'heartbeat', beat)
    await f.settle()
    const renewed = await lease()
    assert.is(renewed.spec?.renewTime, new Date(t0 + 1_000).toISOString().replace('Z', '000Z'))
    assert.is(renewed.spec?.acquireTime, made.spec?.acquireTime)
    assert.is(writes(), rev + 1, 'the Lease alone')
    f.bus.deliver('pi-1', 'online', '0') // gone; back: renewed at its first word
    await f.settle()
    f.clock.advance(250)
    f.bus.deliver('pi-1', 'hello', hello(0))
    await f.settle()
    assert.is(
      (await lease()).spec?.renewTime,
      new Date(t0 + 1_250).toISOString().replace('Z', '000Z'),
    )
  }))

test('the Last Will "0" marks the Node Ready=Unknown at once', () =>
  withFixture('nc-lost', async (f) => {
    f.bus.deliver('pi-1', 'hello', hello(0))
    f.bus.deliver('pi-1', 'heartbeat', {
      type: 'heartbeat',
      time: 1,
      conditions: [
        { type: 'Ready', status: 'True' },
        { type: 'DiskPressure', status: 'False' },
      ],
    })
    await f.settle()
    f.bus.deliver('pi-1', 'online', '0')
    await f.settle()
    const conditions = (await f.node('pi-1'))?.status?.conditions ?? []
    assert.equal(
      conditions.map((c) => [c.type, c.status, c.reason]),
      [
        ['Ready', 'Unknown', 'NodeStatusUnknown'],
        ['DiskPressure', 'Unknown', 'NodeStatusUnknown'],
      ],
    )
    assert.match(conditions[0].message ?? '', /connection to node pi-1 was lost/)
    assert.ok(await f.objects.get(NODES, { name: 'pi-1' }))
  }))

test('logs: request and response by id; not connected, not answering and cancel', () =>
  withFixture('nc-logs', async (f) => {
    const opts = { namespace: 'default', pod: 'web', container: 'app', tailLines: 2 }
    const offline = f.channel.requestLogs('pi-1', opts)
    await rejects(() => offline.ready(), /node pi-1 is not connected/)

    f.bus.deliver('pi-1', 'hello', hello(0))
    await f.settle()
    f.bus.take()
    const lines = f.channel.requestLogs('pi-1', opts)
    const ready = lines.ready()
    await f.settle()
    const [req] = f.bus.take('pi-1', 'req')
    assert.equal(req.msg, { ...opts, type: 'logs', id: req.msg.id })
    f.bus.deliver('pi-2', 'res', { type: 'response', id: req.msg.id, lines: ['forged\n'] })
    f.bus.deliver('pi-1', 'res', { type: 'response', id: req.msg.id, lines: ['one\n'] })
    await ready
    f.bus.deliver('pi-1', 'res', { type: 'response', id: req.msg.id, lines: ['two\n'], done: true })
    const got: string[] = []
    for await (const l of lines) got.push(l)
    assert.equal(got, ['one\n', 'two\n'], "another node's answer is not taken")

    const silent = f.channel.requestLogs('pi-1', opts)
    const waiting = silent.ready()
    await f.settle()
    f.clock.advance(10_000)
    await rejects(() => waiting, /node pi-1 did not answer within 10 s/)

    const follow = f.channel.requestLogs('pi-1', { ...opts, follow: true })
    const open = follow.ready()
    await f.settle()
    const id = f.bus.take('pi-1', 'req').at(-1)!.msg.id
    f.bus.deliver('pi-1', 'res', { type: 'response', id, lines: [] })
    await open
    const next = follow.next() // waiting for a line when the reader leaves
    await follow.return()
    assert.equal(await next, { value: undefined, done: true })
    assert.equal(desiredOf(f.bus.take('pi-1', 'req')), [{ type: 'cancel', id }])

    const lost = f.channel.requestLogs('pi-1', { ...opts, follow: true })
    const lostReady = lost.ready()
    await f.settle()
    f.bus.deliver('pi-1', 'online', '0')
    await rejects(() => lostReady, /connection to node pi-1 was lost/)
  }))

test.run()
