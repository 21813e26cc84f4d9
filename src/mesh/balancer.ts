// Which endpoint takes a new request. Usable: not draining, not ejected, not excluded (the one
// that just failed, on a retry); when every endpoint is ejected, ejection is ignored (never
// eject all). least-request: local endpoints first by power of two choices on requests in
// flight, unless the chosen one is overloaded (≥ overloadOutstanding in flight) and a remote one
// has fewer; otherwise power of two choices over other nodes' endpoints. round-robin: over all,
// local first. ClientIP affinity: the client's endpoint while it is usable.
import type { EndpointState } from './endpoint-state.ts'
import type { PortRoute, ServiceEntry } from './routing-table.ts'

export interface PickOptions {
  now: number
  client: string | undefined
  exclude: EndpointState | undefined
  overloadOutstanding: number
}

export function pickEndpoint(
  entry: ServiceEntry,
  route: PortRoute,
  o: PickOptions,
): EndpointState | undefined {
  const affinity = entry.affinity
  if (affinity && o.client) {
    const uid = affinity.get(o.client, o.now)
    if (uid !== undefined) {
      for (const sticky of route.all)
        if (sticky.endpoint.uid === uid && usable(sticky, o, true)) {
          affinity.set(o.client, uid, o.now)
          return sticky
        }
    }
  }
  const strict = anyUsable(route.all, o, true)
  const picked =
    entry.service.loadBalancer === 'round-robin'
      ? roundRobin(route, o, strict)
      : leastRequest(route, o, strict)
  if (picked && affinity && o.client) affinity.set(o.client, picked.endpoint.uid, o.now)
  return picked
}

function usable(s: EndpointState, o: PickOptions, strict: boolean): boolean {
  return !s.draining && s !== o.exclude && !(strict && s.ejected(o.now))
}

function anyUsable(list: EndpointState[], o: PickOptions, strict: boolean): boolean {
  for (const s of list) if (usable(s, o, strict)) return true
  return false
}

function leastRequest(
  route: PortRoute,
  o: PickOptions,
  strict: boolean,
): EndpointState | undefined {
  const local = p2c(route.local, o, strict)
  if (local && local.outstanding < o.overloadOutstanding) return local
  const remote = p2c(route.remote, o, strict)
  if (!local) return remote
  return remote && remote.outstanding < local.outstanding ? remote : local
}

/** power of two choices: two usable endpoints at random, the one with fewer in flight */
function p2c(list: EndpointState[], o: PickOptions, strict: boolean): EndpointState | undefined {
  let n = 0
  for (const s of list) if (usable(s, o, strict)) n++
  if (n === 0) return undefined
  if (n === 1) return nth(list, 0, o, strict)
  const a = Math.floor(Math.random() * n)
  let b = Math.floor(Math.random() * (n - 1))
  if (b >= a) b++
  const sa = nth(list, a, o, strict)!
  const sb = nth(list, b, o, strict)!
  return sb.outstanding < sa.outstanding ? sb : sa
}

function nth(list: EndpointState[], i: number, o: PickOptions, strict: boolean) {
  for (const s of list) if (usable(s, o, strict) && i-- === 0) return s
  return undefined
}

function roundRobin(route: PortRoute, o: PickOptions, strict: boolean) {
  const n = route.all.length
  for (let k = 0; k < n; k++) {
    const s = route.all[route.next++ % n]!
    if (usable(s, o, strict)) return s
  }
  return undefined
}
