// Components reach Services through the node's mesh: the runtime's service proxy
// (wasm-runtime's RuntimeOptions.serviceProxy) is the mesh's local listener, with the namespaces
// of the table held — so `http://<svc>.<ns>` from a component is a Service when namespace <ns>
// has one — brought up to date with every table the agent takes.
import type { MeshTable } from '../api/index.ts'
import type { Runtime, ServiceProxy } from '../wasm-runtime/index.ts'
import type { AgentMesh, AgentMeshOptions } from './agent-mesh.ts'
import type { MeshCache } from './mesh-cache.ts'

export function serviceProxyOf(table: MeshTable, at: { host: string; port: number }): ServiceProxy {
  const namespaces = [...new Set(table.services.map((s) => s.namespace))].sort()
  return { ...at, namespaces }
}

/** the address a component's call reaches the local listener at (a wildcard bind: loopback) */
function localAddress(o: AgentMeshOptions, port: number): { host: string; port: number } {
  const host = (o.local && o.local.host) || '127.0.0.1'
  return { host: host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host, port }
}

/** from now on the runtime sends Service calls to the mesh's local listener (none: nothing done);
 *  returns the removal of the table listener */
export function linkServiceProxy(
  runtime: Runtime,
  mesh: AgentMesh,
  o: { options: AgentMeshOptions; cache: MeshCache },
): () => void {
  const port = mesh.ports.local
  if (port === undefined) return () => undefined
  const at = localAddress(o.options, port)
  runtime.setServiceProxy(serviceProxyOf(o.cache.table, at))
  return o.cache.listen((table) => runtime.setServiceProxy(serviceProxyOf(table, at)))
}
