// Events for what a controller did (`kubectl describe`, `kubectl get events`): core/v1 Event
// objects written through the controller's Writer, named <object>.<16 hex> as client-go's
// recorder names them. A repeat (same object, type, reason, message and component) raises that
// Event's count and lastTimestamp instead of writing another, as client-go's EventCorrelator
// does, so a pod failing to schedule or crash-looping for hours is one Event, not thousands.
// Best effort: an Event that cannot be written is logged, never retried.
import {
  apiVersionOf,
  resourceByKind,
  type Event,
  type KubeObject,
  type ResourceInfo,
} from '../../../api/index.ts'
import type { Clock, Logger } from '../../../core/index.ts'
import type { Writer } from './source.ts'

const EVENTS = resourceByKind('Event')!

export interface EventRecorder {
  event(
    about: { info: ResourceInfo; obj: KubeObject },
    e: { type?: 'Normal' | 'Warning'; reason: string; message: string },
  ): void
}

function randomHex(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes))
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

/** repeats are recognised among this many recent events */
const REMEMBERED = 4096

/**
 * What is remembered of an Event written: its identity and count — the rest is made again from
 * the object and the reason (4,096 whole Events were ≈ 4 MB of a 10,000-pod plane's heap)
 */
interface Written {
  metadata: Pick<
    Event['metadata'],
    'name' | 'namespace' | 'uid' | 'creationTimestamp' | 'resourceVersion'
  >
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

export function eventRecorder(
  writer: Writer,
  o: { component: string; clock: Clock; log: Logger },
): EventRecorder {
  /** key → the Event as last written (or being written: one write per key at a time) */
  const recent = new Map<string, Promise<Written | undefined>>()
  const remember = (key: string, p: Promise<Written | undefined>) => {
    recent.delete(key)
    recent.set(key, p)
    if (recent.size > REMEMBERED) recent.delete(recent.keys().next().value!)
  }
  return {
    event({ info, obj }, e) {
      const m = obj.metadata
      const now = stamp(o.clock.now())
      const key = `${m.uid ?? `${m.namespace}/${m.name}`}\0${info.kind}\0${e.type ?? 'Normal'}\0${e.reason}\0${e.message}`
      const prev = recent.get(key)
      if (prev) {
        remember(
          key,
          prev.then(async (last) => {
            if (last) {
              const { resourceVersion: _rv, ...meta } = last.metadata
              const next: Event = {
                ...fresh(),
                metadata: meta,
                count: last.count + 1,
                firstTimestamp: last.firstTimestamp,
              }
              try {
                return written(
                  (await writer.replace(
                    EVENTS,
                    { ...next, metadata: last.metadata },
                    next,
                  )) as Event,
                )
              } catch (err) {
                o.log.debug('event count not raised; writing it anew', {
                  reason: e.reason,
                  err: (err as Error).message,
                })
              }
            }
            return create()
          }),
        )
        return
      }
      remember(key, create())
      function create(): Promise<Written | undefined> {
        return (writer.create(EVENTS, fresh()) as Promise<Event>).then(written, (err: Error) => {
          o.log.debug('event not recorded', { reason: e.reason, err: err.message })
          return undefined
        })
      }
      function fresh(): Event {
        return {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name: `${m.name}.${randomHex(8)}`, namespace: m.namespace },
          involvedObject: {
            apiVersion: apiVersionOf(info),
            kind: info.kind,
            name: m.name,
            namespace: m.namespace,
            uid: m.uid,
            resourceVersion: m.resourceVersion,
          },
          reason: e.reason,
          message: e.message,
          type: e.type ?? 'Normal',
          count: 1,
          firstTimestamp: now,
          lastTimestamp: now,
          source: { component: o.component },
          reportingComponent: o.component,
        }
      }
    },
  }
}
