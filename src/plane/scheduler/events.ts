// Events about pods, as Kubernetes' event recorder writes them: one v1 Event per pod, reason
// and message; a repeat (same pod, type, reason, message) updates that Event's count and
// lastTimestamp instead of writing another. Writing an event never fails the caller: a write
// that fails is logged.
import { resourceByKind, type Event, type Pod } from '../../api/index.ts'
import { isShoalError, type Clock, type Logger } from '../../core/index.ts'
import type { Objects } from './ports.ts'

const EVENTS = resourceByKind('Event')!
/** repeats are recognised among this many recent events */
const REMEMBERED = 4096
export const COMPONENT = 'default-scheduler'

/** what is remembered of an Event written: its identity and count (the rest is made again) */
interface Written {
  metadata: Event['metadata']
  count: number
  firstTimestamp: string
}

function written(e: Event): Written {
  const m = e.metadata
  return {
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      creationTimestamp: m.creationTimestamp,
      resourceVersion: m.resourceVersion,
    },
    count: e.count ?? 1,
    firstTimestamp: e.firstTimestamp ?? '',
  }
}

export class EventRecorder {
  readonly #objects: Objects
  readonly #clock: Clock
  readonly #log: Logger
  readonly #recent = new Map<string, Written>()
  #seq = 0

  constructor(objects: Objects, o: { clock: Clock; log: Logger }) {
    this.#objects = objects
    this.#clock = o.clock
    this.#log = o.log
  }

  async record(pod: Pod, e: { type: 'Normal' | 'Warning'; reason: string; message: string }) {
    const m = pod.metadata
    const key = `${m.uid}\0${e.type}\0${e.reason}\0${e.message}`
    const now = this.#objects.now()
    try {
      const prev = this.#recent.get(key)
      const next = prev ? await this.#repeat(pod, e, prev, now) : await this.#create(pod, e, now)
      this.#recent.delete(key)
      this.#recent.set(key, written(next))
      if (this.#recent.size > REMEMBERED) this.#recent.delete(this.#recent.keys().next().value!)
    } catch (err) {
      this.#recent.delete(key)
      this.#log.warn('event not written', {
        pod: `${m.namespace}/${m.name}`,
        reason: e.reason,
        err: String(err),
      })
    }
  }

  /** count + 1; an event gone or changed meanwhile is written anew */
  async #repeat(
    pod: Pod,
    e: { type: string; reason: string; message: string },
    prev: Written,
    now: string,
  ): Promise<Event> {
    const { resourceVersion: _rv, ...kept } = prev.metadata
    const next: Event = {
      ...this.#event(pod, e, now),
      metadata: kept,
      count: prev.count + 1,
      firstTimestamp: prev.firstTimestamp,
    }
    const stored: Event = { ...next, metadata: prev.metadata } // as last written, rv included
    try {
      return (await this.#objects.replace(EVENTS, stored, next)) as Event
    } catch (err) {
      if (!isShoalError(err, 'Conflict') && !isShoalError(err, 'NotFound')) throw err
      const { resourceVersion: _r, uid: _uid, ...meta } = prev.metadata
      const name = this.#name(pod.metadata.name!)
      return (await this.#objects.create(EVENTS, {
        ...next,
        metadata: { ...meta, name },
      } as Event)) as Event
    }
  }

  #create(pod: Pod, e: { type: string; reason: string; message: string }, now: string) {
    return this.#objects.create(EVENTS, this.#event(pod, e, now)) as Promise<Event>
  }

  #event(pod: Pod, e: { type: string; reason: string; message: string }, now: string): Event {
    const m = pod.metadata
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: this.#name(m.name!), namespace: m.namespace },
      involvedObject: {
        apiVersion: 'v1',
        kind: 'Pod',
        namespace: m.namespace,
        name: m.name,
        uid: m.uid,
      },
      reason: e.reason,
      message: e.message,
      type: e.type as Event['type'],
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: COMPONENT },
      reportingComponent: COMPONENT,
    }
  }

  /** "<pod>.<hex>", as Kubernetes names events (its hex is the time in ns; a counter keeps ours unique) */
  #name(pod: string): string {
    const ns = BigInt(this.#clock.now()) * 1_000_000n + BigInt(this.#seq++ % 1_000_000)
    return `${pod}.${ns.toString(16)}`
  }
}
