// Server-side printing: a meta.k8s.io/v1 Table of objects of one kind, rows carrying the
// object's metadata (PartialObjectMetadata) so `kubectl get -A` can fill its NAMESPACE column.
import type { KubeObject, PartialObjectMetadata, Table, TableRow } from '../types/index.ts'
import { lookupTable, isObject } from '../json/index.ts'
import { ageSince } from './age.ts'
import { tableColumns } from './table-columns.ts'
import {
  configMapRow,
  endpointsRow,
  eventRow,
  leaseRow,
  namespaceRow,
  nodeRow,
  podRow,
  secretRow,
  serviceRow,
  type Cell,
  type RowFn,
} from './table-rows-core.ts'
import {
  autoscalerRow,
  controllerRevisionRow,
  daemonSetRow,
  deploymentRow,
  jobRow,
  replicaSetRow,
} from './table-rows-apps.ts'
import { cronJobRow } from './table-rows-batch.ts'
import { ingressRow } from './table-rows-networking.ts'
import { endpointSliceRow } from './table-rows-discovery.ts'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each row function takes its own kind
const rows = lookupTable<RowFn<any>>({
  Pod: podRow,
  Node: nodeRow,
  Namespace: namespaceRow,
  Service: serviceRow,
  Endpoints: endpointsRow,
  Secret: secretRow,
  ConfigMap: configMapRow,
  Event: eventRow,
  Deployment: deploymentRow,
  ReplicaSet: replicaSetRow,
  DaemonSet: daemonSetRow,
  ControllerRevision: controllerRevisionRow,
  Job: jobRow,
  CronJob: cronJobRow,
  HorizontalPodAutoscaler: autoscalerRow,
  Lease: leaseRow,
  EndpointSlice: endpointSliceRow,
  Ingress: ingressRow,
})

function partial(obj: KubeObject): PartialObjectMetadata {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata }
}

/**
 * One row: the cells of tableColumns(kind), in order, and the object's metadata. Stored specs
 * are validated, but a status an agent wrote may be malformed: such a row reads "<invalid>"
 * instead of failing the whole listing.
 */
export function tableRow(
  obj: KubeObject,
  now: number | Date,
  kind: string = obj.kind ?? '',
): TableRow {
  const safe: KubeObject = isObject(obj.metadata) ? obj : { ...obj, metadata: {} }
  const name = typeof safe.metadata.name === 'string' ? safe.metadata.name : ''
  const fn = rows[kind]
  if (!fn)
    return { cells: [name, ageSince(safe.metadata.creationTimestamp, now)], object: partial(safe) }
  let cells: Cell[]
  try {
    cells = fn(safe, +now)
  } catch {
    cells = tableColumns(kind).map((c) => (c.name === 'Name' ? name : '<invalid>'))
  }
  return { cells, object: partial(safe) }
}

/** A whole Table for a list (or one object) of a kind. */
export function toTable(
  items: readonly KubeObject[],
  options: { kind: string; now: number | Date; resourceVersion?: string },
): Table {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata:
      options.resourceVersion === undefined ? {} : { resourceVersion: options.resourceVersion },
    columnDefinitions: tableColumns(options.kind),
    rows: items.map((o) => tableRow(o, options.now, options.kind)),
  }
}
