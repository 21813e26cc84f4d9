import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { InstanceStatus } from '../wasm-runtime/index.ts'
import { podStatus, terminatedState, type ContainerView, type PodView } from './pod-status.ts'

const T0 = Date.parse('2026-12-04T10:00:00Z')
const spec = { containers: [{ name: 'a', image: 'x' }] }
const view = (...containers: Partial<ContainerView>[]): PodView => ({
  uid: 'u',
  spec,
  startTime: T0,
  hostIP: '10.0.0.7',
  containers: containers.map((c, i) => ({
    name: `c${i}`,
    image: 'x',
    restartCount: 0,
    readyWhenRunning: false,
    ...c,
  })),
})
const inst = (more: Partial<InstanceStatus>): InstanceStatus => ({
  id: 'u/c0',
  state: 'ready',
  ready: true,
  restartCount: 0,
  startedAt: T0,
  ...more,
})

test('phase: Pending before any start, Running, Succeeded or Failed once all ended for good', () => {
  const phase = (...c: Partial<ContainerView>[]) => podStatus(view(...c), undefined, T0).phase
  assert.is(phase({}), 'Pending')
  assert.is(phase({ waiting: { reason: 'ErrImagePull' } }, { instance: inst({}) }), 'Pending')
  assert.is(phase({ instance: inst({}) }), 'Running')
  const ended = (exitCode: number) =>
    terminatedState(
      inst({ state: 'exited', exitCode, reason: exitCode ? 'Error' : 'Completed', finishedAt: T0 }),
    )
  assert.is(phase({ terminated: ended(0) }, { terminated: ended(0) }), 'Succeeded')
  assert.is(phase({ terminated: ended(0) }, { terminated: ended(2) }), 'Failed')
  assert.is(
    phase({ waiting: { reason: 'CrashLoopBackOff' }, lastTerminated: ended(1) }),
    'Running',
    'restarting',
  )
})

test('container states map from the runtime: running, waiting, terminated with reason and times', () => {
  const s = podStatus(
    view(
      {
        instance: inst({ state: 'running', ready: false }),
        readyWhenRunning: true,
        imageID: 'sha256:ab',
      },
      {
        instance: inst({
          state: 'exited',
          reason: 'OOMKilled',
          exitCode: 137,
          message: 'memory cap',
          finishedAt: T0 + 5000,
        }),
      },
      { instance: inst({ state: 'starting', ready: false }) },
    ),
    undefined,
    T0,
  )
  const [run, oom, starting] = s.containerStatuses!
  assert.equal(
    [run.ready, run.started, run.state, run.imageID],
    [true, true, { running: { startedAt: '2026-12-04T10:00:00.000Z' } }, 'sha256:ab'],
  )
  assert.equal(oom.state, {
    terminated: {
      exitCode: 137,
      reason: 'OOMKilled',
      message: 'memory cap',
      startedAt: '2026-12-04T10:00:00.000Z',
      finishedAt: '2026-12-04T10:00:05.000Z',
    },
  })
  assert.equal(
    [starting.state, starting.ready],
    [{ waiting: { reason: 'ContainerCreating' } }, false],
  )
  assert.equal(
    [s.hostIP, s.podIP, s.startTime, s.qosClass],
    ['10.0.0.7', '10.0.0.7', '2026-12-04T10:00:00.000Z', 'BestEffort'],
  )
})

test('a condition keeps its lastTransitionTime while its status holds', () => {
  const notReady = podStatus(
    view({ instance: inst({ state: 'running', ready: false }) }),
    undefined,
    T0,
  )
  const still = podStatus(
    view({ instance: inst({ state: 'running', ready: false }) }),
    notReady,
    T0 + 1000,
  )
  const ready = podStatus(view({ instance: inst({}) }), still, T0 + 2000)
  const at = (s: typeof ready, type: string) => s.conditions!.find((c) => c.type === type)!
  assert.is(at(still, 'Ready').lastTransitionTime, '2026-12-04T10:00:00.000Z')
  assert.equal(at(still, 'Ready').message, 'containers with unready status: [c0]')
  assert.is(at(ready, 'Ready').lastTransitionTime, '2026-12-04T10:00:02.000Z')
  assert.is(at(ready, 'PodScheduled').lastTransitionTime, '2026-12-04T10:00:00.000Z')
})

test('restartCount adds the live instance’s own liveness restarts', () => {
  const s = podStatus(view({ instance: inst({ restartCount: 2 }), restartCount: 3 }), undefined, T0)
  assert.is(s.containerStatuses![0].restartCount, 5)
})

test.run()
