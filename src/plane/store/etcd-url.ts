// Where an etcd store lives: `etcd://host:2379[,host2:2379][/namespace]` (plain gRPC) or
// `etcds://…` / `etcd+https://…` (TLS; the CA and a client certificate come as options). An
// optional path is a key namespace: every key is stored under it, so several Shoal planes (or
// other users) can share one etcd without seeing each other's keys.
import { InvalidError } from '../../core/index.ts'

export interface EtcdTarget {
  /** gRPC endpoints as the etcd3 client takes them: http(s)://host:port */
  hosts: string[]
  tls: boolean
  /** key prefix ('' for none) */
  namespace: string
}

const SCHEMES: Record<string, boolean> = { 'etcd:': false, 'etcds:': true, 'etcd+https:': true }

/** true when `s` names an etcd store rather than a log directory */
export function isEtcdUrl(s: string): boolean {
  return /^(etcd|etcds|etcd\+https|etcd\+http):\/\//i.test(s)
}

export function parseEtcdUrl(url: string): EtcdTarget {
  const m = /^([a-z+]+:)\/\/([^/]*)(\/.*)?$/i.exec(url.trim())
  const scheme = m?.[1].toLowerCase() === 'etcd+http:' ? 'etcd:' : m?.[1].toLowerCase()
  if (!m || scheme === undefined || !(scheme in SCHEMES))
    throw new InvalidError(
      `store: ${JSON.stringify(url)} is not an etcd URL (etcd://host:2379[,host2:2379][/namespace], or etcds:// for TLS)`,
    )
  const tls = SCHEMES[scheme]
  const hosts = m[2].split(',').map((h) => h.trim())
  if (hosts.length === 0 || hosts.some((h) => h === ''))
    throw new InvalidError(`store: etcd URL ${JSON.stringify(url)} names no host`)
  for (const h of hosts) {
    const hm = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d+))?$/i.exec(h)
    const port = hm?.[2] === undefined ? 2379 : Number(hm[2])
    if (!hm || !(port > 0 && port < 65536))
      throw new InvalidError(
        `store: etcd URL ${JSON.stringify(url)}: ${JSON.stringify(h)} is not host[:port]`,
      )
  }
  const withPort = hosts.map((h) => (/:\d+$/.test(h) && !h.endsWith(']') ? h : `${h}:2379`))
  const path = m[3] ?? ''
  const namespace = path === '/' ? '' : path
  if (/[?#]/.test(namespace))
    throw new InvalidError(`store: etcd URL ${JSON.stringify(url)}: no query or fragment allowed`)
  return {
    hosts: withPort.map((h) => `${tls ? 'https' : 'http'}://${h}`),
    tls,
    namespace,
  }
}
