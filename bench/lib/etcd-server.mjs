// Starts a throw-away single-member etcd on 127.0.0.1 for the bench, and stops it by pid.
import { spawn, execFileSync } from 'node:child_process'
import { existsSync, openSync, closeSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

export function etcdVersion(bin) {
  const out = execFileSync(bin, ['--version'], { encoding: 'utf8' })
  return /etcd Version: (\S+)/.exec(out)?.[1] ?? 'unknown'
}

/** Resolves true when nothing listens on 127.0.0.1:port. */
export function portFree(port) {
  return new Promise((resolve) => {
    const srv = createServer()
    srv.once('error', () => resolve(false))
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)))
  })
}

async function waitHealthy(url, proc, timeoutMs) {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (proc.exitCode !== null)
      throw new Error(`etcd exited with code ${proc.exitCode} while starting`)
    try {
      const res = await fetch(`${url}/health`)
      if (res.ok && (await res.json()).health === 'true') return
    } catch {
      // not listening yet
    }
    await sleep(50)
  }
  throw new Error(`etcd not healthy after ${timeoutMs} ms`)
}

/**
 * Starts `bin` with its data in `dir`. Refuses when a port is taken rather than benchmark an etcd
 * (or anything else) that this script did not start. Returns { url, pid, version, stop() }.
 */
export async function startEtcd({ bin, dir, clientPort, peerPort }) {
  if (!existsSync(bin)) return { missing: `${bin} not found (Debian: apt-get install etcd-server)` }
  for (const port of [clientPort, peerPort]) {
    if (!(await portFree(port))) {
      throw new Error(
        `bench: port 127.0.0.1:${port} is taken; stop whatever listens there or set ETCD_PORTS=<client>,<peer>`,
      )
    }
  }
  const url = `http://127.0.0.1:${clientPort}`
  const peer = `http://127.0.0.1:${peerPort}`
  const log = openSync(join(dir, 'etcd.log'), 'a')
  const args = [
    '--name',
    'bench',
    '--data-dir',
    join(dir, 'data'),
    '--listen-client-urls',
    url,
    '--advertise-client-urls',
    url,
    '--listen-peer-urls',
    peer,
    '--initial-advertise-peer-urls',
    peer,
    '--initial-cluster',
    `bench=${peer}`,
    '--initial-cluster-state',
    'new',
    '--log-level',
    'warn',
    '--logger',
    'zap',
  ]
  const proc = spawn(bin, args, { stdio: ['ignore', log, log] })
  closeSync(log)
  const stop = () => stopProcess(proc)
  try {
    await waitHealthy(url, proc, 15000)
  } catch (err) {
    await stop()
    throw new Error(`bench: etcd did not start (log: ${join(dir, 'etcd.log')})`, { cause: err })
  }
  return { url, pid: proc.pid, version: etcdVersion(bin), stop }
}

async function stopProcess(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return
  const exited = new Promise((resolve) => proc.once('exit', resolve))
  process.kill(proc.pid, 'SIGTERM')
  const timer = setTimeout(() => proc.exitCode === null && process.kill(proc.pid, 'SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}
