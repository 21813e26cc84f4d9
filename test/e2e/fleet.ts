// A fleet in real processes for end-to-end tests and benches: one `shoal plane` (embedded
// broker) and named `shoal agent`s, each joined with a join token of its own and its own data
// dir, stock kubectl run with the admin kubeconfig the plane wrote, HTTPS as admin, and a
// waitFor whose time-out message carries the tail of every process's output.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  freePort,
  meshTestArgs,
  planeCaller,
  startPlane,
  type PlaneProcess,
} from './plane-process.ts'

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url))

export interface FleetAgent {
  name: string
  dataDir: string
  child: ChildProcess
  output(): string
  /** signals the process and waits for it to exit */
  stop(signal?: NodeJS.Signals): Promise<void>
}

export interface FleetOptions {
  /** node arguments that start shoal; default src/main.ts under tsx */
  shoal?: string[]
  /** extra `shoal plane` arguments */
  planeArgs?: string[]
  /** where the temp dir goes (default the OS's) */
  tmp?: string
  /** extra `shoal agent` arguments of each node started by startFleet */
  agentArgs?: (name: string) => string[]
}

export interface Fleet {
  dir: string
  planeDir: string
  plane(): PlaneProcess
  /** stops the plane (SIGTERM) and starts it again on the same data dir and ports */
  restartPlane(): Promise<PlaneProcess>
  ca: string
  /** an admin bearer token */
  admin: string
  /** HTTPS to the plane as admin (or with another token) */
  call: ReturnType<typeof planeCaller>
  /** the object at an API path, parsed, or undefined when it is not there */
  get(path: string): Promise<any>
  agents: Map<string, FleetAgent>
  /** joins a new node (a fresh data dir) or restarts a stopped one with its own data dir; its
   * mesh listens on free ports (meshTestArgs: `args` may say otherwise, the last flag wins) */
  startAgent(name: string, args?: string[]): FleetAgent
  /** the node's Ready condition status ('True', 'False', 'Unknown') or undefined */
  nodeReady(name: string): Promise<string | undefined>
  kubectl(args: string[], opts?: { input?: string; ok?: boolean }): KubectlResult
  waitFor<T>(
    what: string,
    fn: () => Promise<T | undefined | false> | T | undefined | false,
    ms?: number,
  ): Promise<T>
  stop(): Promise<void>
}

export interface KubectlResult {
  status: number | null
  stdout: string
  stderr: string
  out: string
}

export const haveKubectl =
  spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill(signal)
  })
}

export async function startFleet(names: string[], o: FleetOptions = {}): Promise<Fleet> {
  const shoalArgs = o.shoal ?? ['--import', 'tsx', main]
  const dir = mkdtempSync(join(o.tmp ?? tmpdir(), 'shoal-fleet-'))
  const planeDir = join(dir, 'plane')
  const shoal = (...args: string[]): string => {
    const r = spawnSync(process.execPath, [...shoalArgs, ...args], { encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`shoal ${args.join(' ')}: ${r.stderr}`)
    return r.stdout
  }
  const planeOptions = {
    port: await freePort(),
    mqttPort: await freePort(),
    shoal: shoalArgs,
    args: o.planeArgs,
  }
  let plane = await startPlane(planeDir, planeOptions)
  const ca = readFileSync(join(planeDir, 'pki', 'ca.crt'), 'utf8')
  const lastLine = (s: string) => s.trim().split('\n').at(-1)!.trim()
  const admin = lastLine(
    shoal('token', 'issue', '--data-dir', planeDir, '--role', 'admin', '--user', 'e2e'),
  )
  const call = planeCaller(() => ({ url: plane.url, ca, token: admin }))
  const agents = new Map<string, FleetAgent>()
  const env = { ...process.env, KUBECONFIG: join(planeDir, 'admin.kubeconfig'), HOME: dir }

  const startAgent = (name: string, args: string[] = []): FleetAgent => {
    const dataDir = join(dir, name)
    let joinArgs: string[] = []
    if (!agents.has(name)) {
      // a restart starts from the credentials the join saved in the data dir
      const line = shoal('token', 'issue', '--data-dir', planeDir, '--role', 'join')
        .split('\n')
        .find((l) => l.includes('--join'))!
      joinArgs = [
        ...['--join', plane.url, '--token', /--token (\S+)/.exec(line)![1]],
        ...['--ca-cert-hash', /--ca-cert-hash (\S+)/.exec(line)![1], '--name', name],
      ]
    }
    const child = spawn(
      process.execPath,
      [...shoalArgs, 'agent', ...joinArgs, '--data-dir', dataDir, ...meshTestArgs(), ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let out = agents.get(name)?.output() ?? ''
    child.stdout!.on('data', (d) => (out += d))
    child.stderr!.on('data', (d) => (out += d))
    const agent: FleetAgent = {
      name,
      dataDir,
      child,
      output: () => out,
      stop: (signal = 'SIGTERM') => stopChild(child, signal),
    }
    agents.set(name, agent)
    return agent
  }

  const get = async (path: string) => {
    const r = await call('GET', path)
    return r.status === 200 ? JSON.parse(r.text) : undefined
  }

  const fleet: Fleet = {
    dir,
    planeDir,
    plane: () => plane,
    async restartPlane() {
      await plane.stop()
      plane = await startPlane(planeDir, planeOptions)
      return plane
    },
    ca,
    admin,
    call,
    get,
    agents,
    startAgent,
    async nodeReady(name) {
      const node = await get(`/api/v1/nodes/${name}`)
      return node?.status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.status
    },
    kubectl(args, ko = {}) {
      const r = spawnSync('kubectl', ['--cache-dir', join(dir, 'kubectl-cache'), ...args], {
        encoding: 'utf8',
        input: ko.input,
        env,
        timeout: 60_000,
      })
      const run = {
        status: r.status,
        stdout: r.stdout ?? '',
        stderr: r.stderr ?? '',
        out: (r.stdout ?? '') + (r.stderr ?? ''),
      }
      if (ko.ok !== false && r.status !== 0)
        throw new Error(`kubectl ${args.join(' ')} failed (${r.status}):\n${run.out}`)
      return run
    },
    async waitFor(what, fn, ms = 90_000) {
      const end = Date.now() + ms
      for (;;) {
        const v = await Promise.resolve()
          .then(fn)
          .catch(() => undefined)
        if (v !== undefined && v !== false) return v
        if (Date.now() > end) {
          const tails = [...agents.values()].map((a) => `${a.name}:\n${a.output().slice(-2500)}`)
          throw new Error(
            `timed out waiting for ${what}\nplane:\n${plane.output().slice(-2500)}\n${tails.join('\n')}`,
          )
        }
        await new Promise((r) => setTimeout(r, 100))
      }
    },
    async stop() {
      await Promise.all([...agents.values()].map((a) => a.stop('SIGKILL')))
      await plane.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  try {
    for (const name of names) startAgent(name, o.agentArgs?.(name))
    for (const name of names)
      await fleet.waitFor(
        `node ${name} Ready`,
        async () => (await fleet.nodeReady(name)) === 'True',
      )
  } catch (error) {
    // a suite whose fleet never came up runs no after hook: leave no process behind to keep the
    // test file alive until the runner's time-out; and say why here: uvu prints nothing of an
    // error thrown in a before hook (CI showed only "(0 / 2)")
    console.error('startFleet: the fleet did not come up:', error)
    await fleet.stop().catch(() => {})
    throw error
  }
  return fleet
}
