// What the node says about itself in `hello` (adapter over node:os): architecture in Kubernetes'
// names (x64 → amd64, arm64, arm), OS, kernel, agent version, its labels, its addresses (the
// --address given, else the first non-internal IPv4, else 127.0.0.1; and its hostname), and
// capacity = allocatable: cpu from availableParallelism, memory from totalmem (in Ki), pods.
import { arch, availableParallelism, hostname, networkInterfaces, release, totalmem } from 'node:os'
import { labelValue, qualifiedKey, type NodeInfo } from '../api/index.ts'
import { BadRequestError } from '../core/index.ts'

const archNames: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' }

export function kubeArch(nodeArch: string): string {
  return archNames[nodeArch] ?? nodeArch
}

/** the address the node is reached at: the first non-internal IPv4, or loopback */
export function nodeAddress(given?: string): string {
  if (given) return given
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address
  return '127.0.0.1'
}

export function nodeInfo(o: {
  version: string
  labels: Record<string, string>
  address: string
  maxPods: number
  meshPort?: number
}): NodeInfo {
  const resources = {
    cpu: String(availableParallelism()),
    memory: `${Math.floor(totalmem() / 1024)}Ki`,
    pods: String(o.maxPods),
  }
  const addresses: NodeInfo['addresses'] = [{ type: 'InternalIP', address: o.address }]
  const host = hostname()
  if (host) addresses.push({ type: 'Hostname', address: host })
  return {
    architecture: kubeArch(arch()),
    operatingSystem: process.platform,
    kernelVersion: release(),
    agentVersion: o.version,
    labels: o.labels,
    addresses,
    capacity: resources,
    allocatable: { ...resources },
    ...(o.meshPort !== undefined ? { meshPort: o.meshPort } : {}),
  }
}

/** "zone=a,tier=edge" → labels; each key and value checked as Kubernetes checks labels */
export function parseLabels(text: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {}
  for (const pair of (text ?? '').split(',').filter((p) => p.trim())) {
    const at = pair.indexOf('=')
    const [key, value] =
      at < 0 ? [pair.trim(), ''] : [pair.slice(0, at).trim(), pair.slice(at + 1).trim()]
    const problems = [...qualifiedKey(key), ...labelValue(value)]
    if (at < 0) problems.unshift('it has no "="')
    if (problems.length)
      throw new BadRequestError(`agent: label "${pair}" is invalid: ${problems.join('; ')}`)
    labels[key] = value
  }
  return labels
}
