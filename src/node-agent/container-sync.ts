// One container of a desired pod brought to what its spec asks, one step per call (sync): an
// instance that runs with an unchanged spec is left alone; a changed spec replaces it; an exit
// is judged by the restart policy (Always; OnFailure: a non-zero exit; Never) and a restart
// waits out the crash back-off (CrashLoopBackOff); otherwise the container starts — once its
// image is on the node (pulled in the background: ContainerCreating, ErrImagePull,
// ImagePullBackOff) and its env resolves (CreateContainerConfigError) — and a start that fails
// is retried with back-off. Whatever waits asks `wake` to look again when it is due.
import type { Container, DesiredPod } from '../api/index.ts'
import type { Clock, Logger } from '../core/index.ts'
import type { InstanceStatus, Runtime, WorkloadKind } from '../wasm-runtime/index.ts'
import { Backoff, type BackoffOptions } from './backoff.ts'
import { writeConfigVolumes, type ConfigFiles } from './config-volumes.ts'
import { resolveEnv, type ConfigLookup } from './env.ts'
import type { ImageState } from './image-cache.ts'
import { containerKey, instanceId, instanceSpec } from './instance-spec.ts'
import { terminatedState, type Terminated, type Waiting } from './pod-status.ts'

/** what the agent remembers of a container across its instances */
export interface ContainerRecord {
  name: string
  id: string
  /** containerKey of the instance last started */
  key?: string
  kind?: WorkloadKind
  imageID?: string
  /** restarts done (and the runtime's liveness restarts of ended instances) */
  restarts: number
  waiting?: Waiting
  /** ended, not to be restarted */
  terminated?: Terminated
  lastTerminated?: Terminated
  /** finishedAt of the exit already judged */
  judged?: number
  /** no start before this time (back-off) */
  notBefore: number
  crash: Backoff
  retry: Backoff
  /** the ended instance's last log lines (with timestamps), for logs --previous */
  previousLogs?: string[]
}

export interface ContainerSyncOptions {
  runtime: Runtime
  images: { get(digest: string): Promise<ImageState> }
  config: ConfigLookup & ConfigFiles
  clock: Clock
  log: Logger
  hostIP: string
  /** <dataDir>/pods/<uid> */
  podDir(uid: string): string
  restartBackoff: BackoffOptions
  retryBackoff: BackoffOptions
  /** look at the pod again after ms */
  wake(uid: string, ms: number): void
  previousLogLines?: number
}

export function newContainer(
  uid: string,
  name: string,
  o: Pick<ContainerSyncOptions, 'restartBackoff' | 'retryBackoff'>,
): ContainerRecord {
  return {
    name,
    id: instanceId(uid, name),
    restarts: 0,
    notBefore: 0,
    crash: new Backoff(o.restartBackoff),
    retry: new Backoff(o.retryBackoff),
  }
}

/** the pod's grace period for stopping, in ms */
export function graceMs(pod: DesiredPod): number {
  return (pod.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30) * 1000
}

function restartWanted(policy: string | undefined, exitCode: number): boolean {
  if (policy === 'Never') return false
  return policy !== 'OnFailure' || exitCode !== 0
}

interface ImageReady {
  digest: string
  /** the prepared image on the node, and its own digest */
  path: string
  prepared: string
  kind: WorkloadKind
}

const seconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`)

export class ContainerSync {
  readonly #o: ContainerSyncOptions

  constructor(o: ContainerSyncOptions) {
    this.#o = o
  }

  async sync(pod: DesiredPod, c: Container, cr: ContainerRecord): Promise<void> {
    const key = containerKey(pod, c)
    const inst = this.#o.runtime.status(cr.id)
    if (inst && inst.state !== 'exited') {
      if (cr.key === key) return // running as asked: nothing to do
      await this.#replace(pod, cr)
    } else if (inst && inst.finishedAt !== cr.judged) {
      await this.#judge(pod, c, cr, inst)
    }
    if (cr.key !== undefined && cr.key !== key) {
      // an ended instance of another spec: the new spec starts afresh, no back-off
      Object.assign(cr, { key: undefined, terminated: undefined, notBefore: 0 })
      cr.crash.reset()
    }
    if (cr.terminated) return
    const wait = cr.notBefore - this.#o.clock.now()
    if (wait > 0) return this.#o.wake(pod.uid, wait)
    await this.#start(pod, c, cr, key)
  }

  /** the spec changed under a running instance: stop it now, start the new one at once */
  async #replace(pod: DesiredPod, cr: ContainerRecord): Promise<void> {
    this.#o.log.info('the container spec changed; replacing its instance', { id: cr.id })
    await this.#o.runtime.stop(cr.id, { graceMs: graceMs(pod) })
    const ended = this.#o.runtime.status(cr.id)
    if (ended?.state === 'exited') {
      cr.judged = ended.finishedAt
      cr.lastTerminated = terminatedState(ended)
      cr.restarts += ended.restartCount
    }
    cr.notBefore = 0
    cr.crash.reset()
  }

  /** an instance ended: done for good, or a restart after the crash back-off */
  async #judge(pod: DesiredPod, c: Container, cr: ContainerRecord, inst: InstanceStatus) {
    cr.judged = inst.finishedAt
    cr.restarts += inst.restartCount
    cr.previousLogs = await this.#lastLines(cr.id)
    const ended = terminatedState(inst)
    if (!restartWanted(pod.spec.restartPolicy, ended.exitCode)) {
      cr.terminated = ended
      cr.waiting = undefined
      return
    }
    cr.lastTerminated = ended
    const now = this.#o.clock.now()
    const delay = cr.crash.next((inst.finishedAt ?? now) - (inst.startedAt ?? now))
    cr.notBefore = now + delay
    cr.waiting = {
      reason: 'CrashLoopBackOff',
      message: `back-off ${seconds(delay)} restarting failed container=${c.name} pod=${pod.name}_${pod.namespace}(${pod.uid})`,
    }
  }

  async #lastLines(id: string): Promise<string[]> {
    const lines: string[] = []
    const tailLines = this.#o.previousLogLines ?? 1000
    try {
      for await (const line of this.#o.runtime.logs(id, { tailLines, timestamps: true }))
        lines.push(line)
    } catch {
      // no log kept: --previous will say so
    }
    return lines
  }

  #later(pod: DesiredPod, cr: ContainerRecord, waiting: Waiting): void {
    const delay = cr.retry.next()
    cr.waiting = waiting
    cr.notBefore = this.#o.clock.now() + delay
    this.#o.wake(pod.uid, delay)
  }

  /** the container's image on the node, or undefined (and why, as the waiting reason) */
  async #image(
    pod: DesiredPod,
    c: Container,
    cr: ContainerRecord,
  ): Promise<ImageReady | undefined> {
    const image = pod.images[c.name]
    if (!image || 'error' in image) {
      const why = image && 'error' in image ? image.error : 'the plane resolved no digest for it'
      cr.waiting = { reason: 'ErrImagePull', message: `image "${c.image}": ${why}` }
      return undefined
    }
    cr.imageID = image.digest
    const img = await this.#o.images.get(image.digest)
    if (img.state === 'ready') {
      const kind = img.kind ?? (c.ports?.length ? 'http' : 'command')
      return { digest: image.digest, path: img.path, prepared: img.prepared, kind }
    }
    cr.waiting =
      img.state === 'pulling'
        ? { reason: 'ContainerCreating', message: `pulling image ${image.digest}` }
        : {
            reason: img.failures > 1 ? 'ImagePullBackOff' : 'ErrImagePull',
            message: `pulling image "${c.image}" (${image.digest}): ${img.message}`,
          }
    return undefined
  }

  async #start(pod: DesiredPod, c: Container, cr: ContainerRecord, key: string): Promise<void> {
    const image = await this.#image(pod, c, cr)
    if (!image) return
    const env = await resolveEnv(pod, c, { lookup: this.#o.config, hostIP: this.#o.hostIP })
    if (!env.ok)
      return this.#later(pod, cr, { reason: 'CreateContainerConfigError', message: env.problem })
    const podDir = this.#o.podDir(pod.uid)
    const files = await writeConfigVolumes(pod, c, { lookup: this.#o.config, podDir })
    if (!files.ok)
      return this.#later(pod, cr, { reason: 'CreateContainerConfigError', message: files.problem })
    const { digest, path, prepared, kind } = image
    const spec = instanceSpec(pod, c, {
      ...{ image: { digest, path, prepared }, kind, env: env.env },
      podDir,
    })
    const before = this.#o.runtime.status(cr.id)
    try {
      await this.#o.runtime.start(spec)
    } catch (error) {
      const after = this.#o.runtime.status(cr.id)
      const message = (error as Error).message
      if (after?.state !== 'exited' || after.finishedAt === cr.judged)
        return this.#later(pod, cr, { reason: 'RunContainerError', message })
      // it started and died at once: a crash like any other
      if (before) cr.restarts++
      Object.assign(cr, { key, kind })
      await this.#judge(pod, c, cr, after)
      if (!cr.terminated) this.#o.wake(pod.uid, cr.notBefore - this.#o.clock.now())
      return
    }
    if (before) cr.restarts++
    Object.assign(cr, { key, kind, waiting: undefined, terminated: undefined })
    cr.retry.reset()
    const url = this.#o.runtime.url(cr.id)
    this.#o.log.info('started a container', {
      pod: `${pod.namespace}/${pod.name}`,
      container: c.name,
      kind,
      ...(url ? { url } : {}),
    })
  }
}
