// From what the agent knows of a pod's containers (the runtime's InstanceStatus of each, plus its
// own waiting reasons, final terminations and restart counts) to the Kubernetes PodStatus the
// plane stores: phase, conditions with their lastTransitionTime kept while they hold,
// containerStatuses with state / lastState / ready / started / restartCount / imageID. Pure.
import {
  podQosClass,
  type Condition,
  type ContainerState,
  type ContainerStatus,
  type PodPhase,
  type PodSpec,
  type PodStatus,
} from '../api/index.ts'
import type { InstanceStatus } from '../wasm-runtime/index.ts'

export type Terminated = NonNullable<ContainerState['terminated']>
export type Waiting = NonNullable<ContainerState['waiting']>

export interface ContainerView {
  name: string
  /** the spec's image reference, as the pod names it */
  image: string
  /** "sha256:…" once resolved */
  imageID?: string
  /** the runtime's instance of the container, if one exists */
  instance?: InstanceStatus
  /** why no instance runs (when none does and the container is not done) */
  waiting?: Waiting
  /** the container ended and will not be restarted */
  terminated?: Terminated
  /** how the previous instance ended */
  lastTerminated?: Terminated
  /** restarts so far, the live instance's own (liveness) restarts not included */
  restartCount: number
  /** no readiness probe on a command: ready as soon as it runs */
  readyWhenRunning: boolean
}

export interface PodView {
  uid: string
  spec: PodSpec
  containers: ContainerView[]
  /** ms since the epoch: when this agent took the pod on */
  startTime: number
  /** the node's address, the pod's too (instances listen on the node) */
  hostIP: string
}

const iso = (ms: number | undefined) => new Date(ms ?? Date.now()).toISOString()

/** how an exited instance ended, as a container state */
export function terminatedState(s: InstanceStatus): Terminated {
  const exitCode = s.exitCode ?? (s.reason === 'Completed' ? 0 : 1)
  return {
    exitCode,
    reason: s.reason ?? (exitCode === 0 ? 'Completed' : 'Error'),
    ...(s.message ? { message: s.message } : {}),
    startedAt: iso(s.startedAt),
    finishedAt: iso(s.finishedAt),
  }
}

function containerStatus(c: ContainerView, uid: string): ContainerStatus {
  const live = c.instance && c.instance.state !== 'exited' ? c.instance : undefined
  let state: ContainerState
  if (live && live.state !== 'starting') state = { running: { startedAt: iso(live.startedAt) } }
  else if (c.terminated) state = { terminated: c.terminated }
  else if (c.waiting) state = { waiting: c.waiting }
  else if (c.instance?.state === 'exited') state = { terminated: terminatedState(c.instance) }
  else state = { waiting: { reason: 'ContainerCreating' } }
  const running = state.running !== undefined
  const ready = running && (live!.ready || (c.readyWhenRunning && live!.state === 'running'))
  return {
    name: c.name,
    state,
    ...(c.lastTerminated ? { lastState: { terminated: c.lastTerminated } } : { lastState: {} }),
    ready,
    started: running,
    restartCount: c.restartCount + (live?.restartCount ?? 0),
    image: c.image,
    imageID: c.imageID ?? '',
    ...(c.instance ? { containerID: `wasm://${uid}/${c.name}` } : {}),
  }
}

export function podPhase(statuses: ContainerStatus[]): PodPhase {
  const neverRan = (s: ContainerStatus) =>
    s.state?.waiting && !s.lastState?.terminated && s.restartCount === 0
  if (statuses.length === 0 || statuses.some(neverRan)) return 'Pending'
  if (statuses.some((s) => s.state?.running)) return 'Running'
  const ended = statuses.filter((s) => s.state?.terminated)
  if (ended.length === statuses.length)
    return ended.every((s) => s.state!.terminated!.exitCode === 0) ? 'Succeeded' : 'Failed'
  return 'Running' // restarting
}

function conditions(phase: PodPhase, statuses: ContainerStatus[]): Condition[] {
  const unready = statuses.filter((s) => !s.ready).map((s) => s.name)
  const done = phase === 'Succeeded' || phase === 'Failed'
  const ready: Omit<Condition, 'type'> = done
    ? { status: 'False', reason: 'PodCompleted' }
    : unready.length
      ? {
          status: 'False',
          reason: 'ContainersNotReady',
          message: `containers with unready status: [${unready.join(' ')}]`,
        }
      : { status: 'True' }
  return [
    { type: 'Initialized', status: 'True' },
    { type: 'Ready', ...ready },
    { type: 'ContainersReady', ...ready },
    { type: 'PodScheduled', status: 'True' },
  ]
}

/** a condition keeps its lastTransitionTime while its status holds */
function stamp(next: Condition[], previous: Condition[] | undefined, now: number): Condition[] {
  return next.map((c) => {
    const before = previous?.find((p) => p.type === c.type)
    const since = before?.status === c.status ? before.lastTransitionTime : undefined
    return { ...c, lastTransitionTime: since ?? iso(now) }
  })
}

export function podStatus(view: PodView, previous: PodStatus | undefined, now: number): PodStatus {
  const containerStatuses = view.containers.map((c) => containerStatus(c, view.uid))
  const phase = podPhase(containerStatuses)
  return {
    phase,
    conditions: stamp(conditions(phase, containerStatuses), previous?.conditions, now),
    hostIP: view.hostIP,
    hostIPs: [{ ip: view.hostIP }],
    podIP: view.hostIP,
    podIPs: [{ ip: view.hostIP }],
    startTime: iso(view.startTime),
    qosClass: podQosClass(view.spec),
    containerStatuses,
  }
}
