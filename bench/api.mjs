// The whole API path — HTTPS, bearer-token auth, JSON decode, defaults, validation, CBOR encode,
// the store's fdatasync, the JSON answer — measured against the real `shoal plane` process,
// next to etcd's own bare put rate measured in the same run.
// Run: node bench/api.mjs   (DUR=3 s per case; ETCD_BIN=/usr/bin/etcd; ETCD_PORTS=23791,23801;
//      PLANE_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/p" to profile the plane; ONLY=watch or ONLY=creates for those cases alone; PLANE_BUNDLE=<file> runs that build instead of building dist/)
// Before any case: WARMUP=3000 creates and etcd puts, not counted (see warm()).
// Cases: Pod creates/s with p50/p99 at 1 and 64 in flight, a list of 1,000 pods, and watch event
// latency (create call → event received) with 100 watchers. Table first, one JSON line last.
// etcd's puts and the plane's creates at 64 in flight are taken in ROUNDS=3 slices each, taking
// turns, so both see the same disk and CPU (this VM's change from minute to minute).
// With wrk on PATH, the creates at 64 again and etcd's bare puts at 64 (its JSON gateway), both driven
// by wrk: the two servers side by side with a client that is not the bottleneck.
// Goals: creates/s at 64 in flight ≥ etcd's bare puts/s at 64, p99 ≤ 20 ms; watch p99 ≤ 10 ms.
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { closedLoop, mergeSlices, percentile } from './lib/measure.mjs'
import { client, ns, watchCase } from './lib/api-client.mjs'
import { startEtcd } from './lib/etcd-server.mjs'
import { openEtcd } from './lib/peer-etcd.mjs'
import { podCreateBody, podValue } from './lib/pod.mjs'

const DUR = Number(process.env.DUR ?? 3) * 1000
const ETCD_BIN = process.env.ETCD_BIN ?? '/usr/bin/etcd'
const [etcdClient, etcdPeer] = (process.env.ETCD_PORTS ?? '23791,23801').split(',').map(Number)
const root = fileURLToPath(new URL('..', import.meta.url))
const log = (m) => process.stderr.write(`# ${m}\n`)
const tmp = mkdtempSync(join(os.tmpdir(), 'shoal-bench-api-'))

/** the plane runs from the bundle, as it is deployed (not under the tsx loader) */
async function startPlane(dataDir) {
  const bundle = process.env.PLANE_BUNDLE ?? join(root, 'dist/shoal.mjs') // another build, to compare two (A/B)
  if (!process.env.PLANE_BUNDLE) {
    const built = spawnSync(process.execPath, [join(root, 'esbuild.config.mjs')], {
      cwd: root,
      stdio: 'inherit',
    })
    if (built.status !== 0) throw new Error('bench: npm run build failed')
  }
  const port = 20000 + Math.floor(Math.random() * 20000)
  const flags = (process.env.PLANE_NODE_FLAGS ?? '').split(' ').filter(Boolean) // e.g. --cpu-prof
  const child = spawn(
    process.execPath,
    [...flags, bundle, 'plane', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SHOAL_LOG_LEVEL: 'warn' },
    },
  )
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  const url = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`plane did not start:\n${out}`)), 60_000)
    child.stdout.on('data', () => {
      const m = /shoal plane: serving (\S+)/.exec(out)
      if (m) (clearTimeout(t), resolve(m[1]))
    })
    child.on('exit', (c) => reject(new Error(`plane exited ${c}:\n${out}`)))
  })
  const kc = JSON.parse(readFileSync(join(dataDir, 'admin.kubeconfig'), 'utf8'))
  const token = kc.users[0].user.token
  const ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString()
  return {
    url,
    token,
    ca,
    pid: child.pid,
    stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))),
  }
}

const pod = podCreateBody

/** the plane's own create-latency histogram from /metrics (handler start → response), by bucket bound */
async function createBuckets(call) {
  const text = (await call('GET', '/metrics')).toString()
  const out = new Map()
  for (const m of text.matchAll(
    /request_duration_seconds_bucket\{verb="create",resource="pods",le="([^"]+)"\} (\d+)/g,
  ))
    out.set(m[1], Number(m[2]))
  return out
}

/** p50/p99 as the upper bound of the bucket they fall in, for the requests between two scrapes */
function serverPercentiles(before, after) {
  const rows = [...after].map(([le, n]) => [le, n - (before.get(le) ?? 0)])
  const total = rows[rows.length - 1]?.[1] ?? 0
  const at = (q) => rows.find(([, n]) => n >= q * total)?.[0]
  const ms = (le) => (le === '+Inf' ? Infinity : Number(le) * 1000)
  return { requests: total, p50_ms_at_most: ms(at(0.5)), p99_ms_at_most: ms(at(0.99)) }
}

/** runs wrk (C, 2 threads, 64 connections) with one of bench/lib's scripts, which prints one JSON line */
function wrk(script, url, env) {
  if (spawnSync('wrk', ['--version']).error)
    return { missing: 'wrk not on PATH (apt-get install wrk)' }
  const r = spawnSync(
    'wrk',
    ['-t2', '-c64', `-d${Math.round(DUR / 1000)}s`, '-s', join(root, 'bench/lib', script), url],
    { env: { ...process.env, ...env }, encoding: 'utf8' },
  )
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('{'))
  if (!line) return { missing: `wrk failed: ${r.stderr || r.stdout}` }
  const w = JSON.parse(line)
  if (w.non2xx || w.errors)
    throw new Error(
      `bench: wrk (${script}) saw ${w.non2xx} non-2xx answers and ${w.errors} socket errors`,
    )
  return w
}

/** the same creates driven by wrk: a client that costs far less CPU than Node's https agent, to
 *  show how much of the latency is the client's */
const wrkCreates = (plane, namespace) =>
  wrk('wrk-create.lua', plane.url, {
    SHOAL_TOKEN: plane.token,
    SHOAL_PATH: `/api/v1/namespaces/${namespace}/pods`,
  })

/** etcd's bare puts driven by the same wrk, through etcd's JSON gateway (plain HTTP, no auth): the
 *  peer's latency with a client that is not the bottleneck (the etcd3 client is, research/store.md) */
const wrkEtcdPuts = (etcd) =>
  etcd.missing
    ? { missing: etcd.missing }
    : wrk('wrk-etcd-put.lua', etcd.url, {
        ETCD_VALUE_B64: Buffer.from(podValue()).toString('base64'),
        ETCD_KEY_PREFIX: '/registry/pods/wrk/e-',
      })

async function creates(call, inflight, namespace) {
  let n = 0
  return closedLoop(
    () => call('POST', `/api/v1/namespaces/${namespace}/pods`, pod(`p-${inflight}-${n++}`)),
    { inflight, durMs: DUR, warmup: 200 },
  )
}

async function listCase(call) {
  await ns(call, 'list')
  let n = 0
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (n < 1000) await call('POST', '/api/v1/namespaces/list/pods', pod(`l-${n++}`))
    }),
  )
  const lat = []
  const end = performance.now() + DUR
  while (performance.now() < end) {
    const t = performance.now()
    const body = await call('GET', '/api/v1/namespaces/list/pods')
    lat.push(performance.now() - t)
    if (lat.length === 1 && JSON.parse(body).items.length !== 1000)
      throw new Error('list did not return 1,000 pods')
  }
  lat.sort((a, b) => a - b)
  return {
    lists_per_s: Math.round((lat.length * 1000) / DUR),
    p50_ms: +percentile(lat, 50).toFixed(2),
    p99_ms: +percentile(lat, 99).toFixed(2),
  }
}

/** etcd, running next to the plane so the two can take turns (see interleaved64) */
async function startEtcdPeer() {
  mkdirSync(join(tmp, 'etcd'), { recursive: true })
  const etcd = await startEtcd({
    bin: ETCD_BIN,
    dir: join(tmp, 'etcd'),
    clientPort: etcdClient,
    peerPort: etcdPeer,
  })
  if (etcd.missing) return { missing: etcd.missing }
  const peer = openEtcd(etcd.url)
  let i = 0
  return {
    version: etcd.version,
    url: etcd.url,
    put: () => peer.put(`/registry/pods/default/e-${i++}`, podValue()),
    stop: async () => (await peer.close(), await etcd.stop()),
  }
}

/**
 * etcd's bare puts and the plane's creates at 64 in flight, in ROUNDS slices each, taking turns
 * (the order alternating): on this VM the disk and the CPU a process gets change from one minute
 * to the next, and two figures taken minutes apart compare two different machines.
 */
async function interleaved64(etcd, call64) {
  const rounds = Number(process.env.ROUNDS ?? 3)
  const e = []
  const c = []
  let n = 0
  const create = () => call64('POST', '/api/v1/namespaces/bench/pods', pod(`p-64-${n++}`))
  for (let r = 0; r < rounds; r++) {
    const etcdSlice = async () =>
      !etcd.missing &&
      e.push(await closedLoop(etcd.put, { inflight: 64, durMs: DUR / rounds, raw: true }))
    const createSlice = async () =>
      c.push(
        await closedLoop(create, { inflight: 64, durMs: DUR / rounds, warmup: 200, raw: true }),
      )
    if (r % 2) (await createSlice(), await etcdSlice())
    else (await etcdSlice(), await createSlice())
  }
  const strip = ({ lat, elapsed_ms, per_op, ...rest }) => rest
  return {
    etcd: etcd.missing
      ? { missing: etcd.missing }
      : { version: etcd.version, ...strip(mergeSlices(e)) },
    create_64: strip(mergeSlices(c)),
  }
}

/**
 * WARMUP calls of `op` at 64 in flight, before anything is measured: the plane's create path
 * runs ≈ 2× slower for its first couple of thousand requests (V8 still compiling it: creates one
 * at a time, p50 1.4–1.6 ms in the first 1,600, 0.7–0.9 ms after), as does the etcd3 client
 */
const WARMUP = Number(process.env.WARMUP ?? 3000)
async function warm(op) {
  let n = 0
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (n++ < WARMUP) await op()
    }),
  )
}

const results = {}
const onlyWatch = process.env.ONLY === 'watch'
const onlyCreates = process.env.ONLY === 'creates' // the plane's creates alone (to profile them)
try {
  log('starting etcd and the plane…')
  const etcd = onlyCreates ? { missing: 'ONLY=creates' } : await startEtcdPeer()
  const plane = await startPlane(join(tmp, 'plane'))
  try {
    const call1 = client(plane, 1)
    const call64 = client(plane, 64)
    await ns(call64, 'bench')
    await ns(call64, 'warmup')
    log(
      `warm-up: ${WARMUP} creates and ${etcd.put ? `${WARMUP} etcd puts` : 'no etcd puts'} at 64 in flight, not counted…`,
    )
    let w = 0
    await warm(() => call64('POST', '/api/v1/namespaces/warmup/pods', pod(`w-${w++}`)))
    if (etcd.put) await warm(etcd.put)
    if (onlyCreates) {
      results.create_1 = await creates(call1, 1, 'bench')
      const before = await createBuckets(call64)
      results.create_64 = await creates(call64, 64, 'bench')
      results.create_64_server = serverPercentiles(before, await createBuckets(call64))
    } else if (!onlyWatch) {
      log('creates at 1 in flight…')
      results.create_1 = await creates(call1, 1, 'bench')
      log('etcd bare puts and creates at 64 in flight, taking turns…')
      const before = await createBuckets(call64)
      Object.assign(results, await interleaved64(etcd, call64))
      results.create_64_server = serverPercentiles(before, await createBuckets(call64))
      log('creates at 64 in flight, wrk as the client…')
      await ns(call64, 'wrk')
      results.create_64_wrk = wrkCreates(plane, 'wrk')
      log('etcd bare puts at 64 in flight, wrk as the client…')
      results.etcd_wrk = wrkEtcdPuts(etcd)
      log('list of 1,000 pods…')
      results.list_1000 = await listCase(call64)
    }
    if (!onlyCreates) {
      log('watch latency, 100 watchers…')
      results.watch_100 = await watchCase(plane, call64, { dur: DUR })
    }
  } finally {
    await plane.stop()
    await etcd.stop?.()
  }
} finally {
  rmSync(tmp, { recursive: true, force: true })
}

if (onlyWatch || onlyCreates) {
  console.log(JSON.stringify(results))
  process.exit(0)
}
const e = results.etcd
const row = (name, v) => console.log(name.padEnd(44) + String(v))
console.log(
  `\nShoal API path vs etcd bare puts — ${os.cpus().length} CPUs, Node ${process.version}, ${new Date().toISOString()}\n`,
)
row(
  'etcd puts/s at 64 in flight (etcd3 client)',
  e.missing
    ? `n/a (${e.missing})`
    : `${e.ops}  p50 ${e.p50_us / 1000} ms  p99 ${e.p99_us / 1000} ms`,
)
row(
  'Pod creates/s over HTTPS, 1 in flight',
  `${results.create_1.ops}  p50 ${results.create_1.p50_us / 1000} ms  p99 ${results.create_1.p99_us / 1000} ms`,
)
row(
  'Pod creates/s over HTTPS, 64 in flight',
  `${results.create_64.ops}  p50 ${results.create_64.p50_us / 1000} ms  p99 ${results.create_64.p99_us / 1000} ms`,
)
const sv = results.create_64_server
row(
  '  the same, inside the plane (/metrics)',
  `p50 ≤ ${sv.p50_ms_at_most} ms  p99 ≤ ${sv.p99_ms_at_most} ms (bucket bounds, ${sv.requests} requests)`,
)
const w = results.create_64_wrk
row(
  '  the same with wrk as the client',
  w.missing ? `n/a (${w.missing})` : `${w.ops}  p50 ${w.p50_ms} ms  p99 ${w.p99_ms} ms`,
)
const ew = results.etcd_wrk
row(
  'etcd puts/s at 64, wrk (JSON gateway)',
  ew.missing ? `n/a (${ew.missing})` : `${ew.ops}  p50 ${ew.p50_ms} ms  p99 ${ew.p99_ms} ms`,
)
row(
  'list of 1,000 pods',
  `${results.list_1000.lists_per_s}/s  p50 ${results.list_1000.p50_ms} ms  p99 ${results.list_1000.p99_ms} ms`,
)
const wc = results.watch_100
row('watch latency, 100 watchers', `p50 ${wc.p50_ms} ms  p99 ${wc.p99_ms} ms (${wc.events} events)`)
row('  of it: the create, 1 in flight', `p50 ${wc.create_p50_ms} ms  p99 ${wc.create_p99_ms} ms`)
row('  first → last of the 100 watchers', `p50 ${wc.spread_p50_ms} ms  p99 ${wc.spread_p99_ms} ms`)
const ratio = e.ops ? +(results.create_64.ops / e.ops).toFixed(2) : null
const mark = (ok) => (ok ? 'PASS' : 'FAIL')
console.log('\nGoals')
row(
  'creates/s at 64 ≥ etcd puts/s at 64',
  ratio === null ? 'n/a' : `${mark(ratio >= 1)} (${ratio}×)`,
)
row(
  'create p99 at 64 ≤ 20 ms',
  `${mark(results.create_64.p99_us <= 20_000)} (${results.create_64.p99_us / 1000} ms)`,
)
const wrkRatio = w.ops && ew.ops ? +(w.ops / ew.ops).toFixed(2) : null
if (wrkRatio !== null) {
  row('  with wrk for both: creates/s vs puts/s', `${wrkRatio}×`)
  row(
    '  with wrk for both: p99 create vs put',
    `${w.p99_ms} vs ${ew.p99_ms} ms (${+(w.p99_ms / ew.p99_ms).toFixed(2)}×)`,
  )
}
row(
  'watch p99 with 100 watchers ≤ 10 ms',
  `${mark(results.watch_100.p99_ms <= 10)} (${results.watch_100.p99_ms} ms)`,
)
console.log(
  JSON.stringify({
    ...results,
    ratio_create64_vs_etcd_put64: ratio,
    ratio_wrk_create64_vs_etcd_put64: wrkRatio,
  }),
)
