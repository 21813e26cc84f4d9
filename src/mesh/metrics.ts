// The mesh's counters in Prometheus text: per Service (requests that entered on this node,
// errors: 5xx answers and failures, latency) and per endpoint (attempts sent to it from this
// node, errors, latency, requests in flight, ejected).
import type { MeshEndpointStats } from '../api/index.ts'
import type { RoutingTable } from './routing-table.ts'

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')

export function metricsText(table: RoutingTable, now: number): string {
  const out: string[] = []
  const services = [...table.counters()]
  out.push(
    '# HELP shoal_mesh_requests_total Requests that entered the mesh on this node, per Service.',
  )
  out.push('# TYPE shoal_mesh_requests_total counter')
  for (const [key, c] of services)
    out.push(`shoal_mesh_requests_total{${svcLabels(key)}} ${c.requests}`)
  out.push(
    '# HELP shoal_mesh_errors_total Requests answered 5xx or failed (no endpoint, timeout, connect error).',
  )
  out.push('# TYPE shoal_mesh_errors_total counter')
  for (const [key, c] of services)
    out.push(`shoal_mesh_errors_total{${svcLabels(key)}} ${c.errors}`)
  out.push(
    '# HELP shoal_mesh_request_duration_seconds Time from a request entering the mesh to its answer.',
  )
  out.push('# TYPE shoal_mesh_request_duration_seconds histogram')
  for (const [key, c] of services)
    c.latency.render('shoal_mesh_request_duration_seconds', svcLabels(key), out)

  const states = [...table.states()].map(([k, s]) => ({
    s,
    labels: `${svcLabels(k.slice(0, k.indexOf('\0')))},pod="${esc(s.endpoint.pod)}",node="${esc(s.endpoint.node)}"`,
  }))
  const series = (
    name: string,
    type: string,
    help: string,
    value: (s: (typeof states)[0]['s']) => number,
  ) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
    for (const { s, labels } of states) out.push(`${name}{${labels}} ${value(s)}`)
  }
  series(
    'shoal_mesh_endpoint_requests_total',
    'counter',
    'Attempts sent to an endpoint from this node.',
    (s) => s.requests,
  )
  series(
    'shoal_mesh_endpoint_errors_total',
    'counter',
    'Attempts that failed or were answered 5xx.',
    (s) => s.errors,
  )
  series(
    'shoal_mesh_endpoint_outstanding',
    'gauge',
    'Requests in flight to an endpoint.',
    (s) => s.outstanding,
  )
  series(
    'shoal_mesh_endpoint_ejected',
    'gauge',
    '1 while outlier detection ejects the endpoint.',
    (s) => (s.ejected(now) ? 1 : 0),
  )
  out.push('# HELP shoal_mesh_endpoint_request_duration_seconds One attempt at an endpoint.')
  out.push('# TYPE shoal_mesh_endpoint_request_duration_seconds histogram')
  for (const { s, labels } of states)
    s.latency.render('shoal_mesh_endpoint_request_duration_seconds', labels, out)
  out.push(`# HELP shoal_mesh_table_revision Revision of the mesh table in use.`)
  out.push(`# TYPE shoal_mesh_table_revision gauge`, `shoal_mesh_table_revision ${table.revision}`)
  return out.join('\n') + '\n'
}

/** the endpoint counters as the agent's `stats` carry them */
export function endpointStats(table: RoutingTable): MeshEndpointStats[] {
  return [...table.states()].map(([k, s]) => {
    const key = k.slice(0, k.indexOf('\0'))
    const slash = key.indexOf('/')
    return {
      namespace: key.slice(0, slash),
      service: key.slice(slash + 1),
      pod: s.endpoint.pod.slice(s.endpoint.pod.indexOf('/') + 1), // "namespace/name" in the table
      requests: s.requests,
      errors: s.errors,
      latency: [...s.latency.counts],
    }
  })
}

function svcLabels(key: string): string {
  const slash = key.indexOf('/')
  return `namespace="${esc(key.slice(0, slash))}",service="${esc(key.slice(slash + 1))}"`
}
