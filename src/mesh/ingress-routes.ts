// Ingress routing as Kubernetes defines it: the host picks the rules — an exact host first, then
// a `*.<domain>` wildcard (exactly one more label), then the rules without a host — and within
// them the path: an Exact match first, else the longest Prefix match by path elements ("/a"
// matches "/a", "/a/" and "/a/b", not "/ab"; a trailing "/" of the prefix is ignored); equal
// matches go to the first route in the table's order (the oldest Ingress). No match among the
// host's rules: the default backend, if an Ingress has one.
import type { MeshIngressRoute } from '../api/index.ts'

interface Compiled {
  route: MeshIngressRoute
  /** Prefix without its trailing "/" ("" for "/") */
  prefix: string
}

export class IngressRoutes {
  readonly #exact = new Map<string, Compiled[]>()
  /** ".example.com" → the routes of "*.example.com" */
  readonly #wildcard = new Map<string, Compiled[]>()
  readonly #any: Compiled[] = []
  readonly #fallback: MeshIngressRoute | undefined
  readonly size: number

  constructor(routes: readonly MeshIngressRoute[] = []) {
    let fallback: MeshIngressRoute | undefined
    for (const route of routes) {
      if (route.defaultBackend) {
        fallback ??= route
        continue
      }
      const host = route.host.toLowerCase()
      const c: Compiled = { route, prefix: route.path.replace(/\/+$/, '') }
      if (!host) this.#any.push(c)
      else if (host.startsWith('*.')) push(this.#wildcard, host.slice(1), c)
      else push(this.#exact, host, c)
    }
    this.#fallback = fallback
    this.size = routes.length
  }

  /** the route for a Host (port and case ignored) and a request path (query ignored) */
  match(host: string | undefined, url: string | undefined): MeshIngressRoute | undefined {
    if (!this.size) return undefined
    const name = hostName(host)
    const path = (url ?? '/').split('?', 1)[0]
    const dot = name.indexOf('.')
    const rules =
      this.#exact.get(name) ?? (dot > 0 ? this.#wildcard.get(name.slice(dot)) : undefined)
    return (rules ? best(rules, path) : best(this.#any, path)) ?? this.#fallback
  }
}

function push(map: Map<string, Compiled[]>, key: string, c: Compiled): void {
  const list = map.get(key)
  if (list) list.push(c)
  else map.set(key, [c])
}

/** "Shop.Example.com:8443" → "shop.example.com"; an IPv6 literal keeps its brackets */
export function hostName(host: string | undefined): string {
  const h = (host ?? '').toLowerCase()
  const colon = h.lastIndexOf(':')
  const name = colon > h.lastIndexOf(']') ? h.slice(0, colon) : h
  return name.endsWith('.') ? name.slice(0, -1) : name
}

function best(rules: Compiled[], path: string): MeshIngressRoute | undefined {
  let longest: Compiled | undefined
  for (const c of rules) {
    if (c.route.pathType === 'Exact') {
      if (c.route.path === path) return c.route
      continue
    }
    const p = c.prefix
    const hit = p === '' || path === p || (path.startsWith(p) && path[p.length] === '/')
    if (hit && (!longest || p.length > longest.prefix.length)) longest = c
  }
  return longest?.route
}
