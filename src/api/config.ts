// core/v1 Secret and ConfigMap, and Event (also core/v1).
import type { KubeObject } from './meta.ts'
import type { ObjectReference } from './service.ts'

export interface Secret extends KubeObject {
  /** values are base64 */
  data?: Record<string, string>
  /** write-only convenience: merged into data (base64) by applyDefaults and removed */
  stringData?: Record<string, string>
  type?: string
  immutable?: boolean
}

export interface ConfigMap extends KubeObject {
  data?: Record<string, string>
  /** values are base64 */
  binaryData?: Record<string, string>
  immutable?: boolean
}

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
