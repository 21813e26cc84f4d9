// The HorizontalPodAutoscaler controller (Kubernetes' podautoscaler.HorizontalController). Every
// sync period (15 s by default) each autoscaler reads the scale of its scaleTargetRef (replicas
// and selector of a Deployment or ReplicaSet: the kinds with a scale subresource), the count its
// metrics ask for (hpa-compute.ts, from the MetricsSource: the nodes' usage, custom metrics when a
// source has them), normalizes it (min/max, behavior policies and stabilization windows:
// hpa-behavior.ts) and writes it to the target's spec.replicas, with a SuccessfulRescale Event
// ("New size: 4; reason: cpu resource utilization (percentage of request) above target"). Its
// status says what it saw: currentReplicas, desiredReplicas, lastScaleTime, currentMetrics in
// spec order, and the conditions AbleToScale, ScalingActive, ScalingLimited with Kubernetes'
// reasons — written only when it changed. A target at 0 replicas is left alone (ScalingDisabled).
// Warning Events are told once per reason while their message stays the same (Kubernetes'
// recorder would count them up instead).
import {
  deepEqual,
  labelSelectorRequirements,
  matchesLabels,
  resourceByKind,
  type Condition,
  type HorizontalPodAutoscaler,
  type HorizontalPodAutoscalerStatus,
  type KubeObject,
  type LabelSelector,
  type Pod,
  type ResourceInfo,
} from '../../api/index.ts'
import {
  newHistory,
  normalizeWithBehavior,
  normalizeWithoutBehavior,
  recordRescale,
  type History,
} from './hpa-behavior.ts'
import { computeReplicas, type Problem } from './hpa-compute.ts'
import { noMetrics, type MetricsSource } from './hpa-metrics.ts'
import { Controller, keyOf, type ControllerContext, type Informer } from './kit/index.ts'

export const HPAS = resourceByKind('HorizontalPodAutoscaler', 'autoscaling')!
const PODS = resourceByKind('Pod')!

export interface HpaOptions {
  /** how often each autoscaler is looked at (default 15 s: --horizontal-pod-autoscaler-sync-period) */
  syncPeriodMs?: number
  /** ratios this close to 1 change nothing (default 0.1) */
  tolerance?: number
  /** the scale-down stabilization window without behavior, or a behavior without one (default 300 s) */
  downscaleStabilizationMs?: number
  /** cpu samples of a pod this young count only once measured since it turned Ready (default 5 min) */
  cpuInitializationPeriodMs?: number
  /** a pod not Ready this soon after its start was never ready yet (default 30 s) */
  initialReadinessDelayMs?: number
}

interface Scalable extends KubeObject {
  spec: { replicas?: number; selector?: LabelSelector }
  status?: { replicas?: number }
}

interface State {
  hpas: Informer<HorizontalPodAutoscaler>
  pods: Informer<Pod>
  /** kind → informer of the kinds with a scale subresource */
  targets: Map<string, { info: ResourceInfo; informer: Informer<Scalable> }>
  histories: Map<string, History>
  /** key + reason → the Warning message last told */
  warned: Map<string, string>
  metrics: MetricsSource
  o: Required<HpaOptions>
}

export function hpaController(
  ctx: ControllerContext,
  o: { hpa?: HpaOptions; metrics?: MetricsSource } = {},
): Controller {
  const targets = new Map<string, { info: ResourceInfo; informer: Informer<Scalable> }>()
  for (const kind of ['Deployment', 'ReplicaSet']) {
    const info = resourceByKind(kind, 'apps')!
    targets.set(kind, { info, informer: ctx.informers.for<Scalable>(info) })
  }
  const s: State = {
    hpas: ctx.informers.for<HorizontalPodAutoscaler>(HPAS),
    pods: ctx.informers.for<Pod>(PODS),
    targets,
    histories: new Map(),
    warned: new Map(),
    metrics: o.metrics ?? noMetrics,
    o: {
      syncPeriodMs: 15_000,
      tolerance: 0.1,
      downscaleStabilizationMs: 300_000,
      cpuInitializationPeriodMs: 300_000,
      initialReadinessDelayMs: 30_000,
      ...o.hpa,
    },
  }
  const c = new Controller('horizontal-pod-autoscaler', (key) => reconcile(ctx, s, key), ctx)
  s.hpas.on({
    added: (h) => c.enqueue(keyOf(h)),
    updated: (h, old) => {
      if (h.metadata.generation !== old.metadata.generation) c.enqueue(keyOf(h))
    },
    deleted: (h) => forget(s, keyOf(h)),
  })
  return c
}

function forget(s: State, key: string): void {
  s.histories.delete(key)
  for (const k of s.warned.keys()) if (k.startsWith(`${key}\0`)) s.warned.delete(k)
}

/** one look at an autoscaler; its next one a sync period later */
export async function reconcile(ctx: ControllerContext, s: State, key: string) {
  const hpa = s.hpas.cache.get(key)
  if (!hpa) return forget(s, key)
  const sync = new Sync(ctx, s, hpa)
  await sync.run()
  return { requeueAfter: s.o.syncPeriodMs }
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

/** one sync of one autoscaler: the working status, its conditions, its writes */
class Sync {
  readonly ctx: ControllerContext
  readonly s: State
  readonly hpa: HorizontalPodAutoscaler
  readonly key: string
  readonly now: number
  conditions: Condition[]
  problems = new Set<string>()

  constructor(ctx: ControllerContext, s: State, hpa: HorizontalPodAutoscaler) {
    this.ctx = ctx
    this.s = s
    this.hpa = hpa
    this.key = keyOf(hpa)
    this.now = ctx.clock.now()
    this.conditions = structuredClone(hpa.status?.conditions ?? [])
  }

  condition(type: string, status: 'True' | 'False', reason: string, message: string): void {
    let c = this.conditions.find((x) => x.type === type)
    if (!c) this.conditions.push((c = { type, status }))
    if (c.status !== status || !c.lastTransitionTime) c.lastTransitionTime = stamp(this.now)
    Object.assign(c, { status, reason, message })
  }

  /** a Warning Event, unless the same one was told last time */
  warn(reason: string, message: string): void {
    const k = `${this.key}\0${reason}`
    this.problems.add(k)
    if (this.s.warned.get(k) === message) return
    this.s.warned.set(k, message)
    this.ctx.events.event({ info: HPAS, obj: this.hpa }, { type: 'Warning', reason, message })
  }

  async run(): Promise<void> {
    const target = this.target()
    if (!target.ok) {
      this.warn('FailedGetScale', target.error)
      const message = `the HPA controller was unable to get the target's current scale: ${target.error}`
      this.condition('AbleToScale', 'False', 'FailedGetScale', message)
      return this.finish({ currentReplicas: this.hpa.status?.currentReplicas ?? 0 })
    }
    const able = "the HPA controller was able to get the target's current scale"
    this.condition('AbleToScale', 'True', 'SucceededGetScale', able)
    const { info, obj } = target
    const current = obj.spec.replicas ?? 0
    if (!this.s.histories.has(this.key))
      this.s.histories.set(this.key, newHistory(current, this.now))
    const decided = await this.decide(obj, current)
    if (!decided) return
    const rescale = decided.rescale && decided.desired !== current
    if (rescale) await this.scale(info, obj, decided)
    await this.finish({
      currentReplicas: current,
      desiredReplicas: rescale ? decided.desired : current,
      currentMetrics: decided.metrics,
      lastScaleTime: rescale ? stamp(this.now) : this.hpa.status?.lastScaleTime,
    })
  }

  /** the target's object, by its kind's group, when that kind has a scale subresource */
  target(): { ok: true; info: ResourceInfo; obj: Scalable } | { ok: false; error: string } {
    const ref = this.hpa.spec.scaleTargetRef
    const group = ref.apiVersion?.includes('/') ? ref.apiVersion.split('/')[0] : ''
    const t = this.s.targets.get(ref.kind)
    if (!t || t.info.group !== group)
      return { ok: false, error: `no matches for kind "${ref.kind}" in group "${group}"` }
    const obj = t.informer.cache.get(`${this.hpa.metadata.namespace}/${ref.name}`)
    if (!obj) return { ok: false, error: `${t.info.resource}.${group} "${ref.name}" not found` }
    return { ok: true, info: t.info, obj }
  }

  async decide(obj: Scalable, current: number) {
    const min = this.hpa.spec.minReplicas ?? 1
    const max = this.hpa.spec.maxReplicas
    if (current === 0 && min !== 0) {
      const message = 'scaling is disabled since the replica count of the target is zero'
      this.condition('ScalingActive', 'False', 'ScalingDisabled', message)
      return { desired: 0, reason: '', rescale: false, metrics: undefined }
    }
    if (current > max)
      return {
        desired: max,
        reason: 'Current number of replicas above Spec.MaxReplicas',
        rescale: true,
      }
    if (current < min)
      return {
        desired: min,
        reason: 'Current number of replicas below Spec.MinReplicas',
        rescale: true,
      }
    const selector = this.selector(obj)
    if (!selector) return this.finish({ currentReplicas: current })
    const p = await computeReplicas({
      hpa: this.hpa,
      specReplicas: current,
      statusReplicas: obj.status?.replicas ?? 0,
      selector,
      pods: this.s.pods.cache
        .byNamespace(this.hpa.metadata.namespace!)
        .filter((pod) => matchesLabels(selector, pod.metadata.labels)),
      metrics: this.s.metrics,
      calc: {
        tolerance: this.s.o.tolerance,
        cpuInitializationMs: this.s.o.cpuInitializationPeriodMs,
        initialReadinessDelayMs: this.s.o.initialReadinessDelayMs,
        now: this.now,
      },
    })
    const metrics = p.statuses.length ? p.statuses : undefined
    if (p.problem) this.unable(p.problem)
    if (p.replicas < 0) {
      const n = this.hpa.spec.metrics?.length ?? 0
      const message = `invalid metrics (${p.problem!.count} invalid out of ${n}), first error is: ${p.problem!.error}`
      this.warn('FailedComputeMetricsReplicas', message)
      return this.finish({ currentReplicas: current, currentMetrics: metrics })
    }
    const found = `the HPA was able to successfully calculate a replica count from ${p.metric}`
    this.condition('ScalingActive', 'True', 'ValidMetricFound', found)
    const reason =
      p.replicas > current
        ? `${p.metric} above target`
        : p.replicas < current
          ? 'All metrics below target'
          : ''
    const desired = this.normalize(current, p.replicas, min)
    return { desired, reason, rescale: true, metrics }
  }

  unable(p: Problem): void {
    this.warn(p.reason, p.error)
    const message = `the HPA was unable to compute the replica count: ${p.error}`
    this.condition('ScalingActive', 'False', p.reason, message)
  }

  selector(obj: Scalable) {
    const parsed = obj.spec.selector ? labelSelectorRequirements(obj.spec.selector) : undefined
    if (parsed?.ok && parsed.value.length) return parsed.value
    if (!parsed || parsed.ok) {
      this.warn('SelectorRequired', 'selector is required')
      const message = "the HPA target's scale is missing a selector"
      this.condition('ScalingActive', 'False', 'InvalidSelector', message)
    } else {
      const message = `couldn't convert selector into a corresponding internal selector object: ${parsed.error}`
      this.warn('InvalidSelector', message)
      this.condition('ScalingActive', 'False', 'InvalidSelector', message)
    }
    return undefined
  }

  normalize(current: number, desired: number, min: number): number {
    const h = this.s.histories.get(this.key)!
    const n = {
      current,
      desired,
      min,
      max: this.hpa.spec.maxReplicas,
      now: this.now,
      downscaleWindowMs: this.s.o.downscaleStabilizationMs,
    }
    const b = this.hpa.spec.behavior
    const v = b ? normalizeWithBehavior(h, b, n) : normalizeWithoutBehavior(h, n)
    this.condition('AbleToScale', 'True', v.able.reason, v.able.message)
    this.condition('ScalingLimited', v.limited.status, v.limited.reason, v.limited.message)
    return v.replicas
  }

  /** writes the new count to the target (its scale); a failure is told, then thrown */
  async scale(info: ResourceInfo, obj: Scalable, o: { desired: number; reason: string }) {
    const current = obj.spec.replicas ?? 0
    const next: Scalable = {
      ...obj,
      metadata: { ...obj.metadata, generation: (obj.metadata.generation ?? 1) + 1 },
      spec: { ...obj.spec, replicas: o.desired },
    }
    try {
      await this.ctx.store.replace(info, obj, next)
    } catch (err) {
      const e = err instanceof Error ? err.message : String(err)
      this.warn('FailedRescale', `New size: ${o.desired}; reason: ${o.reason}; error: ${e}`)
      const message = `the HPA controller was unable to update the target scale: ${e}`
      this.condition('AbleToScale', 'False', 'FailedUpdateScale', message)
      await this.finish({ currentReplicas: current })
      throw err // retried with back-off
    }
    const message = `the HPA controller was able to update the target scale to ${o.desired}`
    this.condition('AbleToScale', 'True', 'SucceededRescale', message)
    this.ctx.events.event(
      { info: HPAS, obj: this.hpa },
      { reason: 'SuccessfulRescale', message: `New size: ${o.desired}; reason: ${o.reason}` },
    )
    const h = this.s.histories.get(this.key)!
    recordRescale(h, this.hpa.spec.behavior, { from: current, to: o.desired, now: this.now })
    this.ctx.log.info('rescaled', { hpa: this.key, from: current, to: o.desired, reason: o.reason })
  }

  /** the status as seen now (fields not given keep their value), written when it changed */
  async finish(st: Partial<HorizontalPodAutoscalerStatus>): Promise<undefined> {
    for (const k of this.s.warned.keys())
      if (k.startsWith(`${this.key}\0`) && !this.problems.has(k)) this.s.warned.delete(k)
    const old = this.hpa.status
    const given = <K extends keyof HorizontalPodAutoscalerStatus>(k: K) =>
      k in st ? st[k] : old?.[k]
    const status: HorizontalPodAutoscalerStatus = {
      currentReplicas: given('currentReplicas') ?? 0,
      desiredReplicas: given('desiredReplicas') ?? 0,
    }
    const lastScaleTime = given('lastScaleTime')
    if (lastScaleTime) status.lastScaleTime = lastScaleTime
    const currentMetrics = given('currentMetrics')
    if (currentMetrics?.length) status.currentMetrics = currentMetrics
    status.conditions = this.conditions
    if (deepEqual(status, old)) return undefined
    const next: HorizontalPodAutoscaler = { ...this.hpa, status }
    await this.ctx.store.replace(HPAS, this.hpa, next)
    return undefined
  }
}
