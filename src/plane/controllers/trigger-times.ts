// The endpoints.kubernetes.io/last-change-trigger-time of a Service's endpoints, as Kubernetes'
// TriggerTimeTracker keeps it: the earliest change seen since the Service's last sync — a
// selected pod's Ready condition that moved (its lastTransitionTime), or the Service itself
// when it is new (its creationTimestamp). Nothing new: undefined (the annotation is cleared).
import type { Pod, Service } from '../../api/index.ts'

interface State {
  pods: Map<string, number>
  service: number
}

const at = (s: string | undefined) => (s ? Date.parse(s) || 0 : 0)

export class TriggerTimes {
  #state = new Map<string, State>()

  /** the trigger time of this sync of the Service `key` (RFC 3339), and remember what was seen */
  compute(key: string, svc: Service, pods: Pod[]): string | undefined {
    const last = this.#state.get(key)
    let min: string | undefined
    const earlier = (t: string) => {
      if (min === undefined || at(t) < at(min)) min = t
    }
    const seen = new Map<string, number>()
    for (const pod of pods) {
      const t = pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime
      if (!t || !at(t)) continue
      seen.set(pod.metadata.name!, at(t))
      if (at(t) > (last?.pods.get(pod.metadata.name!) ?? 0)) earlier(t)
    }
    const created = svc.metadata.creationTimestamp
    if (created && at(created) > (last?.service ?? 0)) earlier(created)
    this.#state.set(key, { pods: seen, service: at(created) })
    return min
  }

  delete(key: string): void {
    this.#state.delete(key)
  }
}
