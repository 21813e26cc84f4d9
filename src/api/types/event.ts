// core/v1 Event: what happened to an object, reported by a component.
import type { KubeObject } from './meta.ts'
import type { ObjectReference } from './service.ts'

export interface Event extends KubeObject {
  involvedObject: ObjectReference
  reason?: string
  message?: string
  type?: 'Normal' | 'Warning'
  count?: number
  firstTimestamp?: string
  lastTimestamp?: string
  eventTime?: string
  source?: { component?: string; host?: string }
  reportingComponent?: string
  reportingInstance?: string
}
