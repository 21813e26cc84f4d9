// The agents of `shoal up`: each a child process of the same entry (`shoal agent`, through the
// same node flags, so under tsx or from the bundle alike), its output appended to
// DIR/agents/NODE/agent.log. A child also has an IPC channel: should `shoal up` die without
// stopping it, the channel closes and the agent stops itself (main.ts). The first start joins
// with a join token; later starts use the credentials kept in the agent's data dir.
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { platform } from 'node:os'
import { join } from 'node:path'
import { ConflictError, UnavailableError } from '../core/index.ts'

export interface AgentSpec {
  node: string
  dataDir: string
  /** `shoal agent` flags beyond --data-dir and the join */
  flags: string[]
}

export interface LocalAgent {
  node: string
  pid: number
  log: string
  /** the mesh ports from the agent's "running" line: local, public, tls, metrics */
  ports: Record<string, number>
  child: ChildProcess
  /** SIGTERM, then SIGKILL after graceMs; resolves once it exited */
  stop(graceMs?: number): Promise<void>
}

export interface JoinInfo {
  plane: string
  token: string
  caCertHash: string
}

/** node-I's flags: node-1 on the ports asked, the others on free ports; a NodePort on every
 * node (each on a loopback address of its own where the system has them, as on Linux) */
export function agentSpecs(
  dataDir: string,
  count: number,
  first: { meshLocalPort: number; meshPublic: { host: string; port: number } },
): AgentSpec[] {
  return Array.from({ length: count }, (_, i) => {
    const node = `node-${i + 1}`
    const nodePortHost = i === 0 || platform() !== 'linux' ? '127.0.0.1' : `127.0.0.${i + 1}`
    const publicAt = i === 0 ? first.meshPublic : { host: '127.0.0.1', port: 0 }
    return {
      node,
      dataDir: join(dataDir, 'agents', node),
      flags: [
        ...['--address', '127.0.0.1', '--mesh-port', '0', '--metrics', '127.0.0.1:0'],
        ...['--mesh-local-port', String(i === 0 ? first.meshLocalPort : 0)],
        ...['--mesh-public', `${publicAt.host}:${publicAt.port}`],
        ...['--node-port-address', nodePortHost],
      ],
    }
  })
}

/** the plane URL an agent joined, or undefined when it has not joined yet */
export function joinedPlane(spec: AgentSpec): string | undefined {
  const file = join(spec.dataDir, 'credentials.json')
  if (!existsSync(file)) return undefined
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { plane?: string }
  return saved.plane
}

/** the mesh ports of the agent's "shoal agent: node X running (…; ports: local 1, tls 2)" line */
function runningPorts(output: string): Record<string, number> | undefined {
  const m = /shoal agent: node \S+ running \(.*; ports: ([^)]*)\)/.exec(output)
  if (!m) return undefined
  const entries = m[1]!
    .split(', ')
    .filter(Boolean)
    .map((part) => part.split(' '))
  return Object.fromEntries(entries.map(([k, v]) => [k!, Number(v)]))
}

const tail = (text: string) => text.trim().split('\n').slice(-15).join('\n')

/** starts one agent and resolves once it runs (its mesh listening); rejects if it exits first */
export function startAgent(spec: AgentSpec, joining?: JoinInfo): Promise<LocalAgent> {
  const planeUrl = joinedPlane(spec)
  if (planeUrl && joining)
    throw new ConflictError(`up: ${spec.node} already joined ${planeUrl}; it needs no join`)
  const join_ = joining
    ? ['--join', joining.plane, '--token', joining.token, '--ca-cert-hash', joining.caCertHash]
    : []
  mkdirSync(spec.dataDir, { recursive: true, mode: 0o700 })
  const log = join(spec.dataDir, 'agent.log')
  const out = createWriteStream(log, { flags: 'a' })
  const args = [...join_, ...(joining ? ['--name', spec.node] : [])]
  const child = spawn(
    process.execPath,
    [
      ...process.execArgv,
      process.argv[1]!,
      'agent',
      ...args,
      '--data-dir',
      spec.dataDir,
      ...spec.flags,
    ],
    { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  )
  let seen = ''
  const take = (d: Buffer) => {
    out.write(d)
    if (seen.length < 64_000) seen += d.toString('utf8')
  }
  child.stdout!.on('data', take)
  child.stderr!.on('data', take)
  child.once('exit', () => out.end())
  const stop = (graceMs = 15_000) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      const kill = setTimeout(() => child.kill('SIGKILL'), graceMs)
      child.once('exit', () => {
        clearTimeout(kill)
        resolve()
      })
      child.kill('SIGTERM')
    })
  return new Promise((resolve, reject) => {
    const exited = (code: number | null, signal: string | null) =>
      reject(
        new UnavailableError(
          `up: agent ${spec.node} exited (${signal ?? `code ${code}`}) before it ran; ${log}:\n${tail(seen)}`,
        ),
      )
    child.once('exit', exited)
    const look = () => {
      const ports = runningPorts(seen)
      if (!ports) return
      child.stdout!.off('data', look)
      child.off('exit', exited)
      resolve({ node: spec.node, pid: child.pid!, log, ports, child, stop })
    }
    child.stdout!.on('data', look)
  })
}
