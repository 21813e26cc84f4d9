// How much CPU other processes used while a case ran: all CPUs' busy time (/proc/stat) minus this
// process and the peer's server (etcd). On a shared 2-vCPU box a build running next to the bench
// changes every figure, so each case carries `others_cpu` (in CPUs, 1 = one core fully busy).
import { readFileSync } from 'node:fs'

const TICK_S = 0.01 // USER_HZ = 100 on Linux

function busySeconds() {
  try {
    const f = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number)
    const [user, nice, system, , , irq, softirq, steal] = f
    return (user + nice + system + irq + softirq + (steal ?? 0)) * TICK_S
  } catch {
    return NaN // not Linux
  }
}

function pidSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) * TICK_S // utime, stime
  } catch {
    return 0
  }
}

function ownSeconds(pids) {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6 + pids.reduce((s, pid) => s + pidSeconds(pid), 0)
}

/** Runs fn() and adds `others_cpu` and `cpu_us` to its result; `pids` = helper processes that count as ours. */
export async function withNoise(fn, pids = []) {
  const b0 = busySeconds()
  const o0 = ownSeconds(pids)
  const t0 = performance.now()
  const result = await fn()
  const wall = (performance.now() - t0) / 1000
  const own = ownSeconds(pids) - o0
  const others = (busySeconds() - b0 - own) / wall
  return {
    ...result,
    // CPU time of this process + `pids` per operation: far less sensitive to other load than ops/s
    ...(result.n ? { cpu_us: Math.round((own * 1e6) / result.n) } : {}),
    others_cpu: Number.isFinite(others) ? Number(Math.max(0, others).toFixed(2)) : null,
  }
}

/** Foreign CPU use over `ms` before the bench starts, in CPUs. */
export async function idleCheck(ms = 1000) {
  const r = await withNoise(() => new Promise((resolve) => setTimeout(() => resolve({}), ms)))
  return r.others_cpu
}
