import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { digestOf, desired, fakePrepared, harness, images, pod, waitFor } from './agent-fixture.ts'

test('a desired pod starts with its env and limits; applied is answered; Running is reported', async () => {
  const h = await harness()
  h.plane.secrets.set('default/db', { password: 's3cret' })
  h.channel.connect()
  const web = pod(
    'web',
    {},
    {
      ports: [{ containerPort: 8080 }],
      args: ['--port', '8080'],
      env: [
        { name: 'A', value: '1' },
        { name: 'B', value: '$(A)-x' },
        { name: 'PASS', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      ],
      resources: { limits: { memory: '64Mi', cpu: '500m' } },
    },
  )
  assert.is(h.runtime.warmed, 0, 'nothing to run: no threads started')
  h.channel.deliver(desired(5, web))
  await waitFor('Running', () => h.latest('web')?.status.phase === 'Running')
  assert.ok(h.runtime.warmed > 0, 'pods to run: the runtime warmed up')
  const [spec] = h.runtime.started
  const prepared = digestOf(fakePrepared(digestOf(images.http), images.http))
  assert.equal(spec, {
    id: 'uid-web/main',
    image: {
      digest: digestOf(images.http),
      path: `${h.dir}/images/prepared/${prepared.slice(7)}`,
      prepared,
    },
    kind: 'http',
    env: { A: '1', B: '1-x', PASS: 's3cret', POD: 'web' },
    args: ['main', '--port', '8080'],
    volumes: [],
    network: false,
    limits: { memoryBytes: 64 * 2 ** 20, cpuMillis: 500 },
    namespace: 'default', // the mesh resolves a bare Service name in it (cc096b5)
  })
  assert.equal(h.channel.of('applied'), [{ type: 'applied', revision: 5 }])
  const port = Number(new URL(h.runtime.url('uid-web/main')!).port)
  assert.equal(h.latest('web')!.ports, { main: port }, 'where it serves on the node')
  const status = h.latest('web')!.status
  const c = status.containerStatuses![0]
  assert.equal(
    [c.ready, c.started, c.restartCount, c.imageID, c.image],
    [true, true, 0, digestOf(images.http), 'hello:1'],
  )
  assert.ok(c.state?.running?.startedAt)
  assert.equal(
    status.conditions!.map((x) => `${x.type}=${x.status}`),
    ['Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True'],
  )
  assert.is(status.hostIP, status.podIP)
  await h.cleanup()
})

test('a Secret volume is written for the pod and mounted read-only; a missing one holds the start', async () => {
  const h = await harness()
  h.plane.secrets.set('default/tls', { 'tls.crt': 'CERT' })
  h.channel.connect()
  const volumeMounts = [{ name: 'certs', mountPath: '/etc/certs' }]
  const web = pod('web', {}, { volumeMounts })
  web.spec.volumes = [{ name: 'certs', secret: { secretName: 'tls' } }]
  const lost = pod('lost', {}, { volumeMounts })
  lost.spec.volumes = [{ name: 'certs', secret: { secretName: 'absent' } }]
  h.channel.deliver(desired(3, web, lost))
  await waitFor('web Running', () => h.latest('web')?.status.phase === 'Running')
  const dir = `${h.dir}/pods/uid-web/config/certs`
  assert.equal(h.runtime.started.find((s) => s.id === 'uid-web/main')!.volumes, [
    { guestPath: '/etc/certs', hostPath: dir, readOnly: true },
  ])
  assert.is(readFileSync(`${dir}/tls.crt`, 'utf8'), 'CERT')
  const waiting = await waitFor(
    'lost waiting',
    () => h.latest('lost')?.status.containerStatuses?.[0].state?.waiting,
  )
  assert.equal(waiting, {
    reason: 'CreateContainerConfigError',
    message: 'volume "certs": secret "absent" not found',
  })
  assert.not.ok(h.runtime.started.some((s) => s.id === 'uid-lost/main'))
  await h.cleanup()
})

test('the workload kind comes from the image: a command without ports, a handler by its export', async () => {
  const h = await harness()
  h.channel.connect()
  const job = pod(
    'job',
    { images: { main: { digest: digestOf(images.job) } } },
    { ports: [{ containerPort: 1 }] },
  )
  const fn = pod('fn', { images: { main: { digest: digestOf(images.handler) } } })
  h.channel.deliver(desired(1, job, fn))
  await waitFor('two starts', () => h.runtime.started.length === 2)
  const kinds = Object.fromEntries(h.runtime.started.map((s) => [s.id, s.kind]))
  assert.equal(kinds, { 'uid-job/main': 'command', 'uid-fn/main': 'handler' })
  await waitFor(
    'job ready (a command without probe)',
    () => h.latest('job')?.status.containerStatuses?.[0].ready,
  )
  await h.cleanup()
})

test('a pod that leaves the desired set is stopped and forgotten, not reported gone', async () => {
  const h = await harness()
  h.channel.connect()
  h.channel.deliver(
    desired(
      1,
      pod('a', {
        spec: { containers: [{ name: 'main', image: 'x' }], terminationGracePeriodSeconds: 3 },
      }),
      pod('b'),
    ),
  )
  await waitFor(
    'both running',
    () => h.runtime.list().filter((s) => s.state === 'ready').length === 2,
  )
  h.channel.deliver(desired(2, pod('b')))
  await h.agent.idle()
  assert.equal(h.runtime.stopped, [{ id: 'uid-a/main', graceMs: 3000 }])
  assert.is(h.runtime.status('uid-a/main'), undefined, 'the instance is removed')
  assert.not.ok(h.statuses().some((u) => u.gone))
  assert.is(h.runtime.started.length, 2)
  await h.cleanup()
})

test('a deleted pod is stopped within its grace period, then reported gone', async () => {
  const h = await harness()
  h.channel.connect()
  h.channel.deliver(desired(1, pod('a')))
  await waitFor('running', () => h.latest('a')?.status.phase === 'Running')
  const deleting = pod('a', { deletionTimestamp: '2026-12-04T00:00:00Z', gracePeriodSeconds: 7 })
  h.channel.deliver(desired(2, deleting))
  const gone = await waitFor('gone', () => h.statuses().find((u) => u.gone))
  assert.equal(h.runtime.stopped, [{ id: 'uid-a/main', graceMs: 7000 }])
  assert.is(gone.uid, 'uid-a')
  assert.ok(gone.status.containerStatuses![0].state?.terminated, 'final status: terminated')
  h.channel.deliver(desired(3, deleting))
  await h.agent.idle()
  assert.is(h.statuses().filter((u) => u.gone).length, 1, 'gone once')
  await h.cleanup()
})

test('a crash is restarted after a doubling back-off, CrashLoopBackOff while it waits', async () => {
  const h = await harness()
  h.channel.connect()
  h.channel.deliver(desired(1, pod('a')))
  await waitFor('running', () => h.runtime.status('uid-a/main')?.state === 'ready')
  h.runtime.log('uid-a/main', 'first life')
  h.runtime.exit('uid-a/main', 'Error', 2, 'boom')
  const waiting = await waitFor('CrashLoopBackOff', () => {
    const c = h.latest('a')?.status.containerStatuses?.[0]
    return c?.state?.waiting?.reason === 'CrashLoopBackOff' && c
  })
  assert.match(
    waiting.state!.waiting!.message!,
    'back-off 40ms restarting failed container=main pod=a_default(uid-a)',
  )
  assert.equal(
    [
      waiting.lastState?.terminated?.exitCode,
      waiting.lastState?.terminated?.reason,
      waiting.restartCount,
    ],
    [2, 'Error', 0],
  )
  assert.is(h.runtime.started.length, 1, 'not restarted at once')
  await waitFor('restarted', () => h.runtime.started.length === 2)
  await waitFor(
    'restartCount 1',
    () => h.latest('a')?.status.containerStatuses?.[0].restartCount === 1,
  )
  h.runtime.exit('uid-a/main', 'OOMKilled', 137)
  const second = await waitFor('second back-off', () =>
    h.latest('a')?.status.containerStatuses?.[0].state?.waiting?.message?.includes('back-off 80ms'),
  )
  assert.ok(second)
  await waitFor('restarted again', () => h.runtime.started.length === 3)
  await h.cleanup()
})

test('restartPolicy Never and OnFailure: an ended job stays ended, Succeeded or Failed', async () => {
  const h = await harness()
  h.channel.connect()
  const jobImage = { main: { digest: digestOf(images.job) } }
  const never = pod('never', {
    images: jobImage,
    spec: { containers: [{ name: 'main', image: 'j' }], restartPolicy: 'Never' },
  })
  const onFail = pod('onfail', {
    images: jobImage,
    spec: { containers: [{ name: 'main', image: 'j' }], restartPolicy: 'OnFailure' },
  })
  h.channel.deliver(desired(1, never, onFail))
  await waitFor('both started', () => h.runtime.started.length === 2)
  h.runtime.exit('uid-never/main', 'Error', 3)
  h.runtime.exit('uid-onfail/main', 'Completed', 0)
  await waitFor('Failed', () => h.latest('never')?.status.phase === 'Failed')
  await waitFor('Succeeded', () => h.latest('onfail')?.status.phase === 'Succeeded')
  await new Promise((r) => setTimeout(r, 100))
  await h.agent.idle()
  assert.is(h.runtime.started.length, 2, 'neither restarted')
  const ready = h.latest('onfail')!.status.conditions!.find((c) => c.type === 'Ready')
  assert.equal([ready?.status, ready?.reason], ['False', 'PodCompleted'])
  await h.cleanup()
})

test('a reconnect resending the same pods (new revision, new resourceVersion) restarts nothing', async () => {
  const h = await harness()
  h.channel.connect()
  h.channel.deliver(desired(5, pod('a'), pod('b')))
  await waitFor('running', () => h.runtime.list().filter((s) => s.state === 'ready').length === 2)
  h.channel.disconnect()
  h.channel.connect()
  const hellos = h.channel.of('hello')
  assert.equal(
    hellos.map((m) => m.appliedRevision),
    [0, 5],
  )
  assert.is(hellos[0].bootId, hellos[1].bootId)
  h.channel.deliver(
    desired(6, pod('a', { resourceVersion: '9' }), pod('b', { resourceVersion: '9' })),
  )
  await h.agent.idle()
  assert.equal([h.runtime.started.length, h.runtime.stopped.length], [2, 0])
  assert.equal(
    h.channel.of('applied').map((m) => m.revision),
    [5, 6],
  )
  await h.cleanup()
})

test('a desired-change on the state held: pods added, changed and removed; saved whole', async () => {
  const h = await harness()
  h.channel.connect()
  h.channel.deliver(desired(5, pod('a'), pod('b')))
  await waitFor(
    'both running',
    () => h.runtime.list().filter((s) => s.state === 'ready').length === 2,
  )
  const b2 = pod('b', { spec: { containers: [{ name: 'main', image: 'y' }] } })
  h.channel.deliver({
    type: 'desired-change',
    revision: 7,
    base: 5,
    set: [b2, pod('c')],
    removed: ['uid-a'],
  })
  await waitFor('c running', () => h.runtime.status('uid-c/main')?.state === 'ready')
  await h.agent.idle()
  assert.equal(h.runtime.stopped.map((s) => s.id).sort(), ['uid-a/main', 'uid-b/main'])
  assert.equal(h.runtime.started.map((s) => s.id).sort(), [
    'uid-a/main',
    'uid-b/main',
    'uid-b/main',
    'uid-c/main',
  ])
  assert.equal(
    h.channel.of('applied').map((m) => m.revision),
    [5, 7],
  )
  const again = await h.restart() // the whole state was saved, not the change
  await waitFor(
    'b and c back',
    () => again.runtime.list().filter((s) => s.state === 'ready').length === 2,
  )
  assert.equal(again.runtime.started.map((s) => s.id).sort(), ['uid-b/main', 'uid-c/main'])
  await again.cleanup()
})

test('a desired-change whose base is not the state held asks for the whole set and runs nothing', async () => {
  const h = await harness()
  h.channel.connect()
  h.channel.deliver(desired(5, pod('a')))
  await waitFor('running', () => h.runtime.status('uid-a/main')?.state === 'ready')
  h.channel.deliver({
    type: 'desired-change',
    revision: 9,
    base: 7,
    set: [pod('c')],
    removed: ['uid-a'],
  })
  await h.agent.idle()
  assert.equal([h.runtime.started.map((s) => s.id), h.runtime.stopped], [['uid-a/main'], []])
  assert.equal(h.channel.of('applied').at(-1), { type: 'applied', revision: 5, resync: true })
  await h.cleanup()
})

test('a stale desired state (revision ≤ applied) is ignored and the applied revision restated', async () => {
  const h = await harness()
  h.channel.connect()
  h.channel.deliver(desired(5, pod('a')))
  await waitFor('running', () => h.runtime.status('uid-a/main')?.state === 'ready')
  h.channel.deliver(desired(4, pod('b')))
  h.channel.deliver(desired(5))
  await h.agent.idle()
  assert.equal([h.runtime.started.map((s) => s.id), h.runtime.stopped], [['uid-a/main'], []])
  assert.equal(
    h.channel.of('applied').map((m) => m.revision),
    [5, 5, 5],
  )
  await h.cleanup()
})

test('a spec change replaces the instance at once', async () => {
  const h = await harness()
  h.channel.connect()
  h.channel.deliver(desired(1, pod('a', {}, { env: [{ name: 'V', value: '1' }] })))
  await waitFor('running', () => h.runtime.status('uid-a/main')?.state === 'ready')
  h.channel.deliver(desired(2, pod('a', {}, { env: [{ name: 'V', value: '2' }] })))
  await waitFor('replaced', () => h.runtime.started.length === 2)
  assert.equal(h.runtime.started[1].env, { V: '2' })
  assert.equal(
    h.runtime.stopped.map((s) => s.id),
    ['uid-a/main'],
  )
  await waitFor(
    'restartCount 1',
    () => h.latest('a')?.status.containerStatuses?.[0].restartCount === 1,
  )
  await h.cleanup()
})

test.run()
