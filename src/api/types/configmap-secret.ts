// core/v1 Secret and ConfigMap: data a pod reads by name (env, envFrom, volumes).
import type { KubeObject } from './meta.ts'

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
