// Shoal's store vs etcd 3.4 vs SQLite-as-kine: same machine, same run, same durability (every
// write acknowledged after fsync/fdatasync), same ~1 KiB Pod-like CBOR value, a new key per write.
// Run: node --import tsx bench/store.mjs   (re-executes itself under tsx when started without it)
// The put cases run interleaved: each peer's 3 s are taken in ROUNDS slices, the peers taking turns,
// so a disk that changes speed from minute to minute (this VM's does) is shared fairly; SEQUENTIAL=1
// runs each peer's cases back to back instead (the older way).
// Env: PEERS=shoal,etcd,sqlite · DUR=3 s per case · ROUNDS=3 · N=100000 replay records · REPLAY_OPENS=3 fresh opens (median) · RANGE_TOTAL=20000 keys in the range fixture ·
//      ETCD_BIN=/usr/bin/etcd · ETCD_PORTS=23791,23801 · BENCH_TMP=<dir for data> · SHOAL_STORE=<module>
// Progress goes to stderr; stdout gets the table, the goals and, last, one JSON line.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, mkdirSync, rmSync, statfsSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

if (!process.execArgv.join(' ').includes('tsx')) {
  const args = [
    '--import',
    'tsx',
    ...process.execArgv,
    fileURLToPath(import.meta.url),
    ...process.argv.slice(2),
  ]
  process.exit(spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1)
}

const { VALUE_BYTES } = await import('./lib/pod.mjs')
const { benchCases, readCases, interleavedPuts } = await import('./lib/cases.mjs')
const { startEtcd, portFree } = await import('./lib/etcd-server.mjs')
const { importStore, openShoal } = await import('./lib/peer-shoal.mjs')
const { openEtcd } = await import('./lib/peer-etcd.mjs')
const { openSqlite } = await import('./lib/peer-sqlite.mjs')
const { runReplay } = await import('./lib/replay.mjs')
const { idleCheck } = await import('./lib/noise.mjs')
const { table, goalLines, flatten, replayLabel } = await import('./lib/report.mjs')

const cfg = {
  durMs: Number(process.env.DUR ?? 3) * 1000,
  warmup: 200,
  replayN: Number(process.env.N ?? 100_000),
  rangeKeys: 1000,
  rangeTotal: Number(process.env.RANGE_TOTAL ?? 20_000),
  etcdBin: process.env.ETCD_BIN ?? '/usr/bin/etcd',
  etcdPorts: (process.env.ETCD_PORTS ?? '23791,23801').split(',').map(Number),
  peers: new Set((process.env.PEERS ?? 'shoal,etcd,sqlite').split(',')),
  rounds: Number(process.env.ROUNDS ?? 3),
  sequential: process.env.SEQUENTIAL === '1',
}
let etcdPid // stopped on Ctrl-C too
const log = (msg) => process.stderr.write(`# ${msg}\n`)
const benchPeer = (adapter, pids) => benchCases(adapter, { ...cfg, pids, log })

async function runShoal(results, dir) {
  const mod = await importStore()
  if (mod.missing) {
    log(`Shoal: skipped: ${mod.missing}`)
    results.shoal_note = results.replay_note = 'not run'
    return undefined
  }
  const adapter = await openShoal(mod, dir)
  try {
    results.shoal = await benchPeer(adapter)
  } finally {
    await adapter.close()
  }
  return mod
}

async function runEtcd(results, dir, meta) {
  const server = await startEtcd({
    bin: cfg.etcdBin,
    dir,
    clientPort: cfg.etcdPorts[0],
    peerPort: cfg.etcdPorts[1],
  })
  if (server.missing) {
    log(`etcd: skipped: ${server.missing}`)
    results.etcd_note = 'not installed'
    return
  }
  meta.etcd_version = server.version
  etcdPid = server.pid
  log(`etcd ${server.version}: pid ${server.pid}, ${server.url}`)
  const adapter = openEtcd(server.url)
  try {
    results.etcd = await benchPeer(adapter, [server.pid])
  } finally {
    await adapter.close()
    await server.stop()
    etcdPid = undefined
  }
}

async function runSqlite(results, dir, meta) {
  const adapter = openSqlite(dir)
  meta.sqlite_version = adapter.version
  try {
    results.sqlite = await benchPeer(adapter)
    results.sqlite.watch_note = 'not measured'
    log(`SQLite List plan: ${adapter.plan().join(' · ')}`)
  } finally {
    await adapter.close()
  }
}

/**
 * Every peer open at once: each runs its read cases (range, put→watch) on its own, then the put
 * cases run interleaved (lib/cases.mjs interleavedPuts). A peer that fails is reported as failed.
 */
async function runInterleaved(results, sub, meta) {
  const peers = []
  const cleanup = []
  const join1 = async (name, open) => {
    try {
      const p = await open()
      if (!p) return
      cleanup.push(p.close)
      results[name] = await readCases(p.adapter, { ...cfg, pids: p.pids, log })
      peers.push({ name, adapter: p.adapter, pids: p.pids })
    } catch (err) {
      failed(results, name, err)
    }
  }
  let mod
  try {
    if (cfg.peers.has('shoal')) {
      await join1('shoal', async () => {
        mod = await importStore()
        if (mod.missing) {
          log(`Shoal: skipped: ${mod.missing}`)
          results.shoal_note = results.replay_note = 'not run'
          mod = undefined
          return undefined
        }
        const adapter = await openShoal(mod, sub('shoal'))
        return { adapter, close: () => adapter.close() }
      })
    }
    if (cfg.peers.has('etcd')) {
      await join1('etcd', async () => {
        const server = await startEtcd({
          bin: cfg.etcdBin,
          dir: sub('etcd'),
          clientPort: cfg.etcdPorts[0],
          peerPort: cfg.etcdPorts[1],
        })
        if (server.missing) {
          log(`etcd: skipped: ${server.missing}`)
          results.etcd_note = 'not installed'
          return undefined
        }
        meta.etcd_version = server.version
        etcdPid = server.pid
        log(`etcd ${server.version}: pid ${server.pid}, ${server.url}`)
        const adapter = openEtcd(server.url)
        return {
          adapter,
          pids: [server.pid],
          close: async () => (await adapter.close(), await server.stop(), (etcdPid = undefined)),
        }
      })
    }
    if (cfg.peers.has('sqlite')) {
      await join1('sqlite', async () => {
        const adapter = openSqlite(sub('sqlite'))
        meta.sqlite_version = adapter.version
        log(`SQLite List plan: ${adapter.plan().join(' · ')}`)
        return { adapter, close: () => adapter.close() }
      })
      if (results.sqlite) results.sqlite.watch_note = 'not measured'
    }
    const puts = await interleavedPuts(peers, { ...cfg, log }, cfg.rounds)
    peers.forEach((p, i) => Object.assign(results[p.name], puts[i]))
  } finally {
    for (const close of cleanup.reverse())
      await close().catch((err) => log(`closing failed: ${err.message}`))
  }
  return mod && !results.shoal_note ? mod : undefined
}

function runReplayCase(results, dir) {
  log(
    `Shoal replay: writing ${cfg.replayN.toLocaleString('en-US')} records, then opening them in a fresh process`,
  )
  try {
    results.replay = runReplay(dir, cfg.replayN)
    log(
      `Shoal replay: open→ready ${results.replay.s.toFixed(3)} s (median of ${results.replay.s_each.join(', ')}), peak RSS ${results.replay.rss_mb} MB`,
    )
  } catch (err) {
    log(`Shoal replay failed: ${err.message}${err.cause ? ` (${err.cause.message})` : ''}`)
    results.replay_note = 'failed'
  }
}

/** A peer that throws is reported as failed; the other peers still run. */
function failed(results, peer, err) {
  log(`${peer} failed: ${err.stack ?? err}`)
  results[peer] = undefined
  results[`${peer}_note`] = 'failed'
  return undefined
}

function describeMachine(tmp) {
  const fsType = statfsSync(tmp).type
  if (fsType === 0x01021994)
    log(`WARNING: ${tmp} is tmpfs: fsync costs nothing there, set BENCH_TMP to a disk`)
  return {
    date: new Date().toISOString(),
    machine: `${os.type()} ${os.release()} ${os.machine()}`,
    nproc: os.availableParallelism(),
    node: process.version,
    value_bytes: VALUE_BYTES,
    dur_s: cfg.durMs / 1000,
    range_keys: cfg.rangeKeys,
    range_total_keys: cfg.rangeTotal,
    replay_n: cfg.replayN,
    etcd_version: null,
    put_rounds: cfg.sequential ? null : cfg.rounds,
  }
}

/** Refuses up front, before minutes of other cases, when etcd's ports are taken. */
async function checkEtcdPorts() {
  if (!cfg.peers.has('etcd') || !existsSync(cfg.etcdBin)) return
  for (const port of cfg.etcdPorts) {
    if (!(await portFree(port))) {
      throw new Error(
        `bench: refusing to run: 127.0.0.1:${port} is taken (an etcd left over?); free it or set ETCD_PORTS=<client>,<peer>`,
      )
    }
  }
}

async function main() {
  await checkEtcdPorts()
  const tmp = mkdtempSync(join(process.env.BENCH_TMP ?? os.tmpdir(), 'shoal-bench-'))
  const sub = (name) => (mkdirSync(join(tmp, name)), join(tmp, name))
  const meta = describeMachine(tmp)
  const results = {}
  meta.others_cpu_before = await idleCheck()
  if (meta.others_cpu_before > 0.2)
    log(
      `WARNING: other processes use ${meta.others_cpu_before} CPU before the start; figures will be low and noisy`,
    )
  process.once('SIGINT', () => {
    if (etcdPid) process.kill(etcdPid, 'SIGKILL')
    rmSync(tmp, { recursive: true, force: true })
    process.exit(130)
  })
  const t0 = Date.now()
  try {
    let shoal
    if (cfg.sequential) {
      shoal =
        cfg.peers.has('shoal') &&
        (await runShoal(results, sub('shoal')).catch((err) => failed(results, 'shoal', err)))
      if (cfg.peers.has('etcd'))
        await runEtcd(results, sub('etcd'), meta).catch((err) => failed(results, 'etcd', err))
      if (cfg.peers.has('sqlite'))
        await runSqlite(results, sub('sqlite'), meta).catch((err) => failed(results, 'sqlite', err))
    } else shoal = await runInterleaved(results, sub, meta)
    if (shoal) runReplayCase(results, join(tmp, 'replay'))
  } finally {
    // Removed only at the end: on this disk (online discard) deleting ~100 MB stalls the next fsync.
    rmSync(tmp, { recursive: true, force: true })
  }
  const rl = replayLabel(cfg.replayN)
  console.log(
    `store bench ${meta.date} · ${meta.machine} · ${meta.nproc} CPU · Node ${meta.node} · etcd ${meta.etcd_version ?? 'n/a'} · SQLite ${meta.sqlite_version}`,
  )
  console.log(
    `other processes before the start: ${meta.others_cpu_before} CPU (see the 'other processes' row; > 0.2 makes figures unreliable)`,
  )
  console.log(
    `value ${VALUE_BYTES} B CBOR, new key per write, ${meta.dur_s} s per case after warm-up${meta.put_rounds ? ` (puts: ${meta.put_rounds} slices per peer, peers taking turns)` : ''}; replay ${rl}; Shoal/etcd: ops ratio (higher is better), latency ratio (lower is better)`,
  )
  console.log(table(results, meta))
  console.log(goalLines(results))
  log(`total ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  console.log(JSON.stringify(flatten(results, meta)))
}

await main().catch((err) => {
  console.error(err.message + (err.cause ? ` (${err.cause.message})` : ''))
  process.exitCode = 1
})
