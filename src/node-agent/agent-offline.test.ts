import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Encoder } from 'cbor-x'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { desired, digestOf, fakeComponent, harness, pod, waitFor } from './agent-fixture.ts'

test('a restarted agent runs its pods from the saved desired state with no link at all', async () => {
  const first = await harness()
  first.plane.secrets.set('default/db', { password: 'p1' })
  first.channel.connect()
  const withSecret = pod(
    'a',
    {},
    { env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }] },
  )
  first.channel.deliver(desired(3, withSecret, pod('b')))
  await waitFor(
    'running',
    () => first.runtime.list().filter((s) => s.state === 'ready').length === 2,
  )
  first.plane.offline = true
  const h = await first.restart()
  await waitFor('both started offline', () => h.runtime.started.length === 2)
  assert.not.ok(h.channel.connected)
  assert.equal(
    h.runtime.started.find((s) => s.id === 'uid-a/main')?.env,
    { P: 'p1' },
    'the secret from the cache',
  )
  h.plane.offline = false
  h.channel.connect()
  assert.is(h.channel.of('hello')[0].appliedRevision, 3)
  await h.cleanup()
})

test('an image missing while offline waits (ErrImagePull, ImagePullBackOff) and starts once it can be pulled', async () => {
  const h = await harness()
  const fresh = fakeComponent('wasi:http/incoming-handler@0.2.10#new')
  h.plane.blobs.set(digestOf(fresh), fresh)
  h.plane.offline = true
  h.channel.connect()
  h.channel.deliver(desired(1, pod('a', { images: { main: { digest: digestOf(fresh) } } })))
  await waitFor(
    'ErrImagePull',
    () => h.latest('a')?.status.containerStatuses?.[0].state?.waiting?.reason === 'ErrImagePull',
  )
  await waitFor(
    'ImagePullBackOff',
    () =>
      h.latest('a')?.status.containerStatuses?.[0].state?.waiting?.reason === 'ImagePullBackOff',
  )
  assert.is(h.latest('a')!.status.phase, 'Pending')
  assert.is(h.runtime.started.length, 0)
  h.plane.offline = false
  await waitFor('started after a retry', () => h.runtime.started.length === 1, 2000)
  await waitFor('Running', () => h.latest('a')?.status.phase === 'Running')
  assert.ok(h.plane.requests.filter((p) => p.includes(digestOf(fresh))).length >= 3)
  await h.cleanup()
})

test('statuses outlive a restart while the plane is away, and are resent until acknowledged', async () => {
  const first = await harness()
  first.channel.connect()
  first.channel.deliver(desired(1, pod('a')))
  await waitFor('running', () => first.runtime.status('uid-a/main')?.state === 'ready')
  first.channel.disconnect()
  first.runtime.exit('uid-a/main', 'Error', 1)
  await waitFor('restarted', () => first.runtime.started.length === 2)
  await first.agent.idle()
  const h = await first.restart()
  await waitFor('started', () => h.runtime.started.length === 1)
  await h.agent.idle()
  assert.is(h.channel.of('status').length, 0, 'nothing sent while offline')
  h.channel.connect()
  const report = await waitFor('a report', () => h.channel.of('status')[0])
  assert.equal(
    report.pods.map((u) => u.name),
    ['a'],
  )
  h.channel.disconnect()
  h.channel.connect()
  const again = h.channel.of('status')
  assert.is(again.length, 2, 'resent on reconnect, not acknowledged')
  h.channel.deliver({ type: 'status-ack', id: again[1].id })
  await h.agent.idle()
  h.channel.disconnect()
  h.channel.connect()
  assert.is(h.channel.of('status').length, 2, 'acknowledged: not sent again')
  await h.cleanup()
})

test('a status that changed after it was sent is kept until its own report is acknowledged', async () => {
  const h = await harness()
  h.channel.connect()
  h.channel.deliver(desired(1, pod('a')))
  await waitFor('Running', () => h.latest('a')?.status.phase === 'Running')
  const first = h.channel.of('status').at(-1)!
  h.runtime.exit('uid-a/main', 'Error', 1)
  await waitFor(
    'CrashLoopBackOff',
    () => h.latest('a')?.status.containerStatuses?.[0].state?.waiting,
  )
  const before = h.channel.of('status').length
  h.channel.deliver({ type: 'status-ack', id: first.id })
  h.channel.disconnect()
  h.channel.connect()
  await waitFor('a resend', () => h.channel.of('status').length > before)
  await h.cleanup()
})

test('malformed messages are logged and dropped; the agent goes on', async () => {
  const h = await harness()
  h.channel.connect()
  const cbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false })
  h.channel.deliverRaw('desired', Uint8Array.from([0xff, 0x00, 0x13]))
  h.channel.deliverRaw('desired', cbor.encode({ type: 'desired', revision: -1, pods: [] }))
  h.channel.deliverRaw('req', cbor.encode(desired(9, pod('x'))))
  h.channel.deliverRaw(
    'desired',
    cbor.encode({
      type: 'desired',
      revision: 2,
      pods: [{ ...pod('y'), spec: { containers: 'no' } }],
    }),
  )
  h.channel.deliverRaw('status-ack', cbor.encode(new Map<unknown, unknown>([[1, 2]])))
  await h.agent.idle()
  const dropped = h.log.lines.filter((l) => l.msg === 'dropped a malformed message')
  assert.is(dropped.length, 4)
  assert.match(String(dropped[0].fields?.error), 'not CBOR')
  assert.match(String(dropped[1].fields?.error), 'revision')
  assert.match(String(dropped[2].fields?.error), 'a desired message on the "req" topic')
  assert.ok(
    h.log.lines.some(
      (l) => l.msg === 'refused a desired pod' && String(l.fields?.problem).includes('containers'),
    ),
  )
  h.channel.deliver(desired(3, pod('a')))
  await waitFor('still serving', () => h.runtime.started.length === 1)
  await h.cleanup()
})

test('heartbeats carry the node conditions and the images held; hello the node info', async () => {
  const h = await harness({ heartbeatMs: 20, labels: { zone: 'a' }, address: '10.1.2.3' })
  h.channel.connect()
  h.channel.deliver(desired(1, pod('a')))
  await waitFor('running', () => h.runtime.status('uid-a/main')?.state === 'ready')
  const beat = await waitFor('a heartbeat with images', () =>
    h.channel.of('heartbeat').find((b) => b.images?.length),
  )
  assert.equal(
    beat.conditions.map((c) => c.type),
    ['Ready', 'MemoryPressure', 'DiskPressure'],
  )
  assert.equal(beat.images, [h.runtime.started[0].image.digest])
  const { info } = h.channel.of('hello')[0]
  assert.equal(
    [info.labels, info.addresses[0]],
    [{ zone: 'a' }, { type: 'InternalIP', address: '10.1.2.3' }],
  )
  assert.match(info.architecture, /^(amd64|arm64|arm|.+)$/)
  assert.is(info.capacity.pods, '110')
  assert.is(h.latest('a')!.status.hostIP, '10.1.2.3')
  await h.cleanup()
})

test('desired-changes in a burst are saved in batches; once applied is answered, a crash loses none of them', async () => {
  const first = await harness({ saveBatchMs: 20 })
  first.channel.connect()
  first.channel.deliver(desired(1))
  await first.agent.idle()
  const n = 40
  for (let r = 2; r <= n + 1; r++) {
    first.channel.deliver({
      type: 'desired-change',
      ...{ revision: r, base: r - 1, set: [pod(`p${r}`)], removed: [] },
    })
    if (r % 8 === 0) await new Promise((done) => setTimeout(done, 2))
  }
  // no idle(), no close (which would write what waits): the file as a crash right after the
  // last applied would leave it
  await waitFor('applied', () => first.channel.of('applied').some((m) => m.revision === n + 1))
  const onDisk = JSON.parse(readFileSync(join(first.dir, 'desired.json'), 'utf8')) as {
    revision: number
    pods: unknown[]
  }
  assert.is(onDisk.revision, n + 1, 'applied was answered after its state was on disk')
  assert.is(onDisk.pods.length, n)
  const applied = first.channel.of('applied').map((m) => m.revision)
  assert.ok(
    new Set(applied).size < n / 2,
    `one write answers every state it holds: ${new Set(applied).size} states written for ${n} taken`,
  )
  // a second process on the same data dir, the first never closed: as after kill -9
  const second = await harness({}, { dir: first.dir, plane: first.plane })
  await waitFor('every pod started again', () => second.runtime.started.length === n)
  assert.is(second.channel.of('hello').length, 0)
  second.channel.connect()
  assert.is(second.channel.of('hello')[0].appliedRevision, n + 1)
  await first.agent.close()
  await second.cleanup()
})

test.run()
