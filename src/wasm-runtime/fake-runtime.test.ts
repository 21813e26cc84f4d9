import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isShoalError } from '../core/index.ts'
import { FakeRuntime } from './fake-runtime.ts'
import type { InstanceSpec, InstanceStatus } from './types.ts'

const spec = (id: string, kind: InstanceSpec['kind'] = 'http'): InstanceSpec => ({
  id,
  image: { digest: `sha256:${'b'.repeat(64)}`, path: '/images/b.wasm' },
  kind,
  env: {},
  args: [],
  volumes: [],
  network: false,
  limits: {},
})

test('start walks starting → running → ready and records the spec', async () => {
  const rt = new FakeRuntime()
  const seen: InstanceStatus[] = []
  rt.onStatus((s) => seen.push(s))
  const handle = await rt.start(spec('a'))
  assert.equal(
    seen.map((s) => s.state),
    ['starting', 'running', 'ready'],
  )
  assert.is(handle.status.state, 'ready')
  assert.match(rt.url('a')!, /^http:\/\/127\.0\.0\.1:\d+$/)
  assert.is(rt.started.length, 1)
})

test('the test drives exits, readiness, logs and stats', async () => {
  const rt = new FakeRuntime()
  await rt.start(spec('job', 'command'))
  assert.is(rt.status('job')!.state, 'running')
  rt.log('job', 'hello')
  rt.setStats('job', { requests: 7 })
  assert.is((await rt.stats('job')).requests, 7)
  rt.exit('job', 'OOMKilled', 137)
  assert.equal(
    { ...rt.status('job'), finishedAt: 0 },
    {
      id: 'job',
      state: 'exited',
      ready: false,
      restartCount: 0,
      startedAt: rt.status('job')!.startedAt,
      reason: 'OOMKilled',
      exitCode: 137,
      message: 'OOMKilled',
      finishedAt: 0,
    },
  )
  const lines: string[] = []
  for await (const line of rt.logs('job', { follow: true })) lines.push(line)
  assert.equal(lines, ['hello'])
})

test('bad images and duplicate ids are refused like the real runtime', async () => {
  const rt = new FakeRuntime()
  rt.failImage(`sha256:${'b'.repeat(64)}`)
  await rt.start(spec('x')).then(
    () => assert.unreachable(),
    (error) => assert.ok(isShoalError(error, 'Invalid')),
  )
  const ok = new FakeRuntime()
  await ok.start(spec('y'))
  await ok.start(spec('y')).then(
    () => assert.unreachable(),
    (error) => assert.ok(isShoalError(error, 'AlreadyExists')),
  )
  await ok.stop('y', { graceMs: 5 })
  assert.equal(ok.stopped, [{ id: 'y', graceMs: 5 }])
  assert.is(ok.status('y')!.reason, 'Completed')
})

test.run()
