// Host header → the Service it names: `<svc>`, `<svc>.<ns>`, `<svc>.<ns>.svc` or
// `<svc>.<ns>.svc.<cluster domain>`, each with or without `:<port>`; a bare `<svc>` is in the
// mesh's default namespace. Anything else (an IP, another domain) names no Service.

export interface HostName {
  namespace: string
  name: string
  /** the port written in the Host header, or undefined */
  port: number | undefined
}

export function parseHost(
  host: string | undefined,
  defaults: { namespace: string; clusterDomain: string },
): HostName | undefined {
  if (!host) return undefined
  let port: number | undefined
  let name = host.toLowerCase()
  const colon = name.lastIndexOf(':')
  if (colon >= 0) {
    if (name.includes(']') || name.indexOf(':') !== colon) return undefined // an IPv6 literal
    port = Number(name.slice(colon + 1))
    if (!Number.isInteger(port) || port <= 0 || port > 65535) return undefined
    name = name.slice(0, colon)
  }
  if (name.endsWith('.')) name = name.slice(0, -1)
  const parts = name.split('.')
  const [svc, ns] = parts
  if (!svc) return undefined
  if (parts.length === 1) return { namespace: defaults.namespace, name: svc, port }
  if (!ns) return undefined
  if (parts.length === 2) return { namespace: ns, name: svc, port }
  if (parts[2] !== 'svc') return undefined
  if (parts.length === 3 || parts.slice(3).join('.') === defaults.clusterDomain)
    return { namespace: ns, name: svc, port }
  return undefined
}
