import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { DesiredPod, PodStatusUpdate } from '../api/index.ts'
import { FakeClock, memoryLogger } from '../core/index.ts'
import { FakeRuntime } from '../wasm-runtime/index.ts'
import { Reconciler, type ReconcilerOptions } from './reconciler.ts'

const DIGEST = 'sha256:' + 'a'.repeat(64)
const backoff = { initialMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 }

const pod = (name: string, digest = DIGEST): DesiredPod => ({
  uid: `uid-${name}`,
  namespace: 'default',
  name,
  resourceVersion: '1',
  spec: { containers: [{ name: 'main', image: 'hello:1' }], restartPolicy: 'Always' },
  images: { main: { digest } },
})

function reconciler(extra: Partial<ReconcilerOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-reconciler-'))
  const runtime = new FakeRuntime()
  const clock = new FakeClock()
  /** instance ids the reconciler looked up, in order */
  const looked: string[] = []
  const status = runtime.status.bind(runtime)
  runtime.status = (id) => (looked.push(id), status(id))
  const reports: PodStatusUpdate[] = []
  const r = new Reconciler({
    runtime,
    images: {
      get: () =>
        Promise.resolve({
          state: 'ready',
          path: join(dir, 'img'),
          prepared: DIGEST,
          kind: 'handler',
        }),
    },
    config: { get: () => Promise.resolve(undefined), bytes: () => Promise.resolve(undefined) },
    clock,
    log: memoryLogger(),
    hostIP: '10.0.0.7',
    podsDir: join(dir, 'pods'),
    restartBackoff: backoff,
    retryBackoff: backoff,
    report: (u) => reports.push(u),
    forget: () => undefined,
    ...extra,
  })
  const close = async () => {
    await r.close(0)
    rmSync(dir, { recursive: true, force: true })
  }
  return { r, runtime, clock, looked, reports, close }
}

test('a new desired set looks only at the pods it adds, changes or leaves out', async () => {
  const { r, runtime, looked, reports, close } = reconciler()
  const a = pod('a')
  const b = pod('b')
  r.setDesired([a, b])
  await r.idle()
  assert.equal(
    runtime.started.map((s) => s.id),
    ['uid-a/main', 'uid-b/main'],
  )
  assert.equal(
    reports.map((u) => `${u.name}:${u.status.phase}`),
    ['a:Running', 'b:Running'],
  )
  looked.length = 0
  const b2 = { ...pod('b', 'sha256:' + 'b'.repeat(64)), resourceVersion: '2' }
  r.setDesired([a, b2, pod('c')]) // a unchanged (the same object), b changed, c new
  await r.idle()
  assert.not.ok(looked.includes('uid-a/main'), 'the unchanged pod is not looked at')
  assert.equal(
    runtime.started
      .slice(2)
      .map((s) => s.id)
      .sort(),
    ['uid-b/main', 'uid-c/main'],
    'b replaced, c started',
  )
  looked.length = 0
  r.setDesired([a, b2]) // c left out: stopped
  await r.idle()
  assert.equal(
    runtime.stopped.map((s) => s.id),
    ['uid-b/main', 'uid-c/main'],
  )
  assert.equal([...new Set(looked)], ['uid-c/main'])
  await close()
})

test('a pod being deleted is drained before it stops, within its grace period', async () => {
  const drains: { uid: string; done(): void }[] = []
  const drain = (uid: string) => new Promise<void>((done) => drains.push({ uid, done }))
  const { r, runtime, clock, close } = reconciler({ drain })
  const a = pod('a')
  const b = pod('b')
  r.setDesired([a, b])
  await r.idle()
  const deleting = (p: DesiredPod) => ({ ...p, deletionTimestamp: '2026-01-01T00:00:00Z' })
  r.setDesired([deleting(a), deleting({ ...b, gracePeriodSeconds: 5 })])
  await until(() => drains.length === 2)
  assert.equal(
    drains.map((d) => d.uid),
    ['uid-a', 'uid-b'],
  )
  assert.equal(runtime.stopped, [], 'nothing stopped while requests are in flight')
  clock.advance(2000)
  drains[0]!.done() // a's requests are done after 2 s: stopped with the 28 s left
  await until(() => runtime.stopped.length === 1)
  assert.equal(runtime.stopped, [{ id: 'uid-a/main', graceMs: 28_000 }])
  clock.advance(3000) // b's 5 s are over, its requests still in flight: stopped at once
  await r.idle()
  assert.equal(runtime.stopped[1], { id: 'uid-b/main', graceMs: 0 })
  await close()
})

async function until(fn: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !fn(); i++) await new Promise((r) => setTimeout(r, 5))
  assert.ok(fn(), 'timed out')
}

test.run()
