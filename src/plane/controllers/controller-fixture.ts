// What the controllers' unit tests share: a FakeObjects store, informers over it, Events
// recorded through it, a fake clock at 2026-01-01T00:00:00Z, and object builders.
import {
  resourceByKind,
  type Deployment,
  type Pod,
  type PodTemplateSpec,
  type ReplicaSet,
} from '../../api/index.ts'
import { FakeClock, memoryLogger } from '../../core/index.ts'
import { eventRecorder, FakeObjects, Informers, type ControllerContext } from './kit/index.ts'

export const PODS = resourceByKind('Pod')!
export const RSS = resourceByKind('ReplicaSet')!
export const DEPLOYS = resourceByKind('Deployment')!
export const EVENTS = resourceByKind('Event')!
export const T0 = Date.parse('2026-01-01T00:00:00Z')

export function fixture() {
  const fake = new FakeObjects()
  const clock = new FakeClock(T0)
  const log = memoryLogger()
  const ctx: ControllerContext = {
    store: fake,
    informers: new Informers(fake, { clock, log }),
    events: eventRecorder(fake, { component: 'test', clock, log }),
    clock,
    log,
  }
  /** the writes since the last call, events left out, as "verb Kind key" */
  const writes = () =>
    fake
      .take()
      .filter((w) => w.kind !== 'Event')
      .map((w) => `${w.verb} ${w.kind} ${w.key}`)
  const events = () =>
    fake.all(EVENTS).map((e) => `${(e as unknown as { reason: string; message: string }).reason}`)
  return { fake, clock, ctx, writes, events }
}

export const template = (image = 'hello:1', labels = { app: 'web' }): PodTemplateSpec => ({
  metadata: { labels },
  spec: { containers: [{ name: 'web', image }], restartPolicy: 'Always' },
})

export function replicaSet(name: string, replicas: number, o: Partial<ReplicaSet['spec']> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1 },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: template(), ...o },
  } satisfies ReplicaSet
}

export function deployment(name: string, replicas: number, o: Partial<Deployment['spec']> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: template(),
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
      },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      ...o,
    },
  } satisfies Deployment
}

/** a pod as the agent would report it: scheduled to a node, Running and Ready since `readyAt` */
export function readyPod(pod: Pod, readyAt = '2026-01-01T00:00:00Z'): Pod {
  return {
    ...pod,
    spec: { ...pod.spec, nodeName: pod.spec.nodeName ?? 'pi-1' },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: readyAt }],
    },
  }
}
