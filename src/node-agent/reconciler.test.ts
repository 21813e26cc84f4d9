import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { DesiredPod, PodStatusUpdate } from '../api/index.ts'
import { FakeClock, memoryLogger } from '../core/index.ts'
import { FakeRuntime } from '../wasm-runtime/fake-runtime.ts'
import { Reconciler } from './reconciler.ts'

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

function reconciler() {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-reconciler-'))
  const runtime = new FakeRuntime()
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
    clock: new FakeClock(),
    log: memoryLogger(),
    hostIP: '10.0.0.7',
    podsDir: join(dir, 'pods'),
    restartBackoff: backoff,
    retryBackoff: backoff,
    report: (u) => reports.push(u),
    forget: () => undefined,
  })
  const close = async () => {
    await r.close(0)
    rmSync(dir, { recursive: true, force: true })
  }
  return { r, runtime, looked, reports, close }
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

test.run()
