// Events for what a controller did (`kubectl describe`, `kubectl get events`): core/v1 Event
// objects written through the controller's Writer, named <object>.<16 hex> as client-go's
// recorder names them. Best effort: an Event that cannot be written is logged, never retried.
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

export function eventRecorder(
  writer: Writer,
  o: { component: string; clock: Clock; log: Logger },
): EventRecorder {
  return {
    event({ info, obj }, e) {
      const m = obj.metadata
      const now = stamp(o.clock.now())
      const ev: Event = {
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
      writer.create(EVENTS, ev).catch((err: Error) => {
        o.log.debug('event not recorded', { reason: e.reason, err: err.message })
      })
    },
  }
}
