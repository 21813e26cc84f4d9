import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { StatsReport } from '../api/index.ts'
import { FakeClock, memoryLogger } from '../core/index.ts'
import { FakeRuntime, type InstanceSpec } from '../wasm-runtime/index.ts'
import { machineUsage, processUsage, StatsReporter } from './stats-reporter.ts'

const spec = (id: string, kind: InstanceSpec['kind'] = 'http'): InstanceSpec => ({
  id,
  kind,
  image: { path: '/nowhere.wasm', digest: `sha256:${'0'.repeat(64)}` },
  env: {},
  args: [],
  volumes: [],
  network: false,
  limits: {},
})

test('every period while online: the node, the agent, and each running container', async () => {
  const runtime = new FakeRuntime()
  await runtime.start(spec('u1/web'))
  await runtime.start(spec('u1/side'))
  await runtime.start(spec('u2/job', 'command'))
  runtime.setStats('u1/web', { memoryBytes: 2 << 20, requests: 42, cpuMs: 1.5 })
  runtime.exit('u2/job', 'Completed', 0, 'done')
  const clock = new FakeClock()
  const sent: StatsReport[] = []
  let online = false
  const reporter = new StatsReporter({
    runtime,
    pods: () => [
      {
        uid: 'u1',
        namespace: 'default',
        name: 'web',
        containers: [
          { name: 'web', id: 'u1/web' },
          { name: 'side', id: 'u1/side' },
          { name: 'gone', id: 'u1/never-started' },
        ],
      },
      { uid: 'u2', namespace: 'default', name: 'job', containers: [{ name: 'job', id: 'u2/job' }] },
    ],
    send: (r) => sent.push(r) > 0,
    online: () => online,
    clock,
    log: memoryLogger(),
    everyMs: 5_000,
    machine: () => ({ cpuNanos: 7e9, memoryBytes: 300e6 }),
    self: () => ({ cpuNanos: 1e9, memoryBytes: 40e6 }),
  })
  reporter.start()
  clock.advance(5_000)
  await new Promise((r) => setTimeout(r, 10))
  assert.is(sent.length, 0, 'nothing is sampled offline')
  online = true
  clock.advance(5_000)
  await new Promise((r) => setTimeout(r, 10))
  assert.is(sent.length, 1)
  const r = sent[0]
  assert.equal([r.type, r.time], ['stats', clock.now()])
  assert.equal(r.node, {
    cpuNanos: 7e9,
    memoryBytes: 300e6,
    agent: { cpuNanos: 1e9, memoryBytes: 40e6 },
  })
  assert.equal(
    r.pods.map((p) => p.name),
    ['web'],
    'a pod with nothing running is left out',
  )
  const [web, side] = r.pods[0].containers
  assert.equal([web.name, web.cpuNanos, web.memoryBytes, web.requests], ['web', 1.5e6, 2 << 20, 42])
  assert.is(web.startTime, runtime.status('u1/web')!.startedAt)
  assert.is(side.name, 'side')
  reporter.close()
  clock.advance(20_000)
  await new Promise((r) => setTimeout(r, 10))
  assert.is(sent.length, 1, 'nothing after close')
})

test("the mesh's per-endpoint counters ride along when the agent runs a mesh; none: no field", async () => {
  const runtime = new FakeRuntime()
  const base = {
    ...{ runtime, pods: () => [], send: () => true, online: () => true },
    ...{ clock: new FakeClock(), log: memoryLogger() },
  }
  const latency = new Array(14).fill(0)
  latency[3] = 5
  const ep = { namespace: 'default', service: 'web', pod: 'p1', requests: 5, errors: 1, latency }
  const withMesh = await new StatsReporter({ ...base, mesh: () => [ep] }).sample()
  assert.equal(withMesh.mesh, [ep])
  const without = await new StatsReporter(base).sample()
  assert.not.ok('mesh' in without)
})

test("the machine's and the process's own figures are read from the OS", () => {
  const m = machineUsage()
  const p = processUsage()
  assert.ok(m.cpuNanos > 0 && m.memoryBytes > 0)
  assert.ok(p.cpuNanos > 0 && p.memoryBytes > 10 << 20)
  assert.ok(m.memoryBytes >= p.memoryBytes)
})

test.run()
