// The shapes the server answers in, besides the objects themselves: metav1 Status (every error
// answer), Table (meta.k8s.io/v1, server-side printing) and WatchEvent (one per line of a watch
// stream).
import type { KubeObject, ListMeta, ObjectMeta } from './meta.ts'

export interface StatusCause {
  reason?: string
  message?: string
  field?: string
}

export interface StatusDetails {
  name?: string
  group?: string
  kind?: string
  uid?: string
  causes?: StatusCause[]
  retryAfterSeconds?: number
}

export interface Status {
  kind: 'Status'
  apiVersion: 'v1'
  metadata: ListMeta
  status: 'Success' | 'Failure'
  message?: string
  reason?: string
  details?: StatusDetails
  code: number
}

export interface TableColumnDefinition {
  name: string
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date'
  format: string
  description: string
  /** 0: always shown; 1: only with -o wide */
  priority: number
}

export interface PartialObjectMetadata {
  kind: 'PartialObjectMetadata'
  apiVersion: 'meta.k8s.io/v1'
  metadata: ObjectMeta
}

export interface TableRow {
  cells: (string | number | boolean)[]
  object?: PartialObjectMetadata | KubeObject
}

export interface Table {
  kind: 'Table'
  apiVersion: 'meta.k8s.io/v1'
  metadata: ListMeta
  columnDefinitions: TableColumnDefinition[]
  rows: TableRow[]
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'

export interface WatchEvent<T = KubeObject | Status | Table> {
  type: WatchEventType
  object: T
}
