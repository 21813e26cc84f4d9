// The floor under bench/api.mjs's create latency: a bare Node HTTPS server (node:https, the
// plane's own kind of certificate, no Hono, no store, no auth) that spends a fixed CPU time per
// request and answers a pod-sized JSON, driven by the same client api.mjs uses (Node's https
// agent, keep-alive, 64 in flight) on the same machine. What it shows: how much of the plane's
// create p99 at 64 in flight any Node HTTPS server with that much work per request would have here.
// With wrk on PATH, the same server is also driven by wrk (as api.mjs does), to part the client's share.
// Last, the floor under api.mjs's watch case: the same server with 100 watch streams open, writing
// each created object to every stream as a watch event line before it answers the create (no
// store, no fdatasync), driven by api.mjs's own watch case (bench/lib/api-client.mjs).
// Run: node bench/http-floor.mjs   (DUR=3 s per case; WORK_US="0,50,100,150,210" µs per request;
//      WATCH_WORK_US=0 µs per create in the watch case, "" to skip it)
import { fork, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:https'
import os from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { client, watchCase } from './lib/api-client.mjs'
import { closedLoop } from './lib/measure.mjs'
import { podCreateBody } from './lib/pod.mjs'

if (!process.execArgv.join(' ').includes('tsx') && process.argv[2] !== 'server') {
  const args = [
    '--import',
    'tsx',
    ...process.execArgv,
    fileURLToPath(import.meta.url),
    ...process.argv.slice(2),
  ]
  process.exit(spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1)
}

const DUR = Number(process.env.DUR ?? 3) * 1000
const WORK_US = (process.env.WORK_US ?? '0,50,100,150,210').split(',').map(Number)
const WATCH_WORK_US = (process.env.WATCH_WORK_US ?? '0').split(',').filter(Boolean).map(Number)

/** the same load from wrk (C, 2 threads, 64 connections) when it is on PATH: a client that costs far less CPU */
function wrk(port) {
  if (spawnSync('wrk', ['--version']).error) return { missing: 'wrk not on PATH' }
  const script = fileURLToPath(new URL('./lib/wrk-create.lua', import.meta.url))
  const r = spawnSync(
    'wrk',
    ['-t2', '-c64', `-d${Math.round(DUR / 1000)}s`, '-s', script, `https://127.0.0.1:${port}`],
    {
      env: { ...process.env, SHOAL_TOKEN: 'none', SHOAL_PATH: '/api/v1/namespaces/bench/pods' },
      encoding: 'utf8',
    },
  )
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('{'))
  return line ? JSON.parse(line) : { missing: `wrk failed: ${r.stderr || r.stdout}` }
}

if (process.argv[2] === 'server') {
  // child: the server, on its own process as the plane is
  const [cert, key, workUs] = [process.env.CERT, process.env.KEY, Number(process.argv[3])]
  const watchers = new Set()
  const server = createServer({ cert, key }, (req, res) => {
    if (req.method === 'GET' && req.url.includes('watch=true')) {
      // a watch stream, as the plane answers one: headers at once, then one JSON event a line
      res.writeHead(200, { 'content-type': 'application/json' })
      res.flushHeaders()
      watchers.add(res)
      res.on('close', () => watchers.delete(res))
      return
    }
    if (req.method === 'GET')
      return void res.end(
        JSON.stringify({
          kind: 'PodList',
          apiVersion: 'v1',
          metadata: { resourceVersion: '1' },
          items: [],
        }),
      )
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const obj = JSON.parse(Buffer.concat(chunks).toString())
      const until = performance.now() + workUs / 1000
      while (performance.now() < until); // the handler's own work
      const out = JSON.stringify({
        ...obj,
        metadata: {
          ...obj.metadata,
          uid: '6b0b4d5e-4f8e-4c9e-9d3a-0d8b1f2e3c4d',
          resourceVersion: '12345',
          creationTimestamp: new Date().toISOString(),
        },
        status: { phase: 'Pending', qosClass: 'Burstable' },
      })
      if (watchers.size) {
        const line = `{"type":"ADDED","object":${out}}\n` // encoded once, written to every stream
        for (const w of watchers) w.write(line)
      }
      res.writeHead(201, { 'content-type': 'application/json' })
      res.end(out)
    })
  })
  server.keepAliveTimeout = 65_000
  server.listen(0, '127.0.0.1', () => process.send(server.address().port))
} else {
  const tmp = mkdtempSync(join(os.tmpdir(), 'shoal-http-floor-'))
  const { ensurePki } = await import('../src/plane/server/security/pki.ts')
  const pki = ensurePki(tmp, { sans: ['127.0.0.1'] })
  const rows = []
  const watchRows = []
  /** the server in a child process of its own, as the plane is */
  const start = async (workUs) => {
    const child = fork(fileURLToPath(import.meta.url), ['server', String(workUs)], {
      env: { ...process.env, CERT: pki.serverCert, KEY: pki.serverKey },
      execArgv: [],
    })
    const port = await new Promise(
      (resolve, reject) => (
        child.once('message', resolve),
        child.once('exit', (c) => reject(new Error(`server exited ${c}`)))
      ),
    )
    return {
      child,
      port,
      server: { url: `https://127.0.0.1:${port}`, ca: pki.caCert, token: 'none' },
    }
  }
  try {
    for (const workUs of WORK_US) {
      const { child, port, server } = await start(workUs)
      const call64 = client(server, 64)
      const call = () => call64('POST', '/api/v1/namespaces/bench/pods', podCreateBody('p'))
      const r = await closedLoop(call, { inflight: 64, durMs: DUR, warmup: 200 })
      const w = wrk(port)
      child.kill()
      rows.push({
        work_us: workUs,
        ops: r.ops,
        p50_ms: +(r.p50_us / 1000).toFixed(2),
        p99_ms: +(r.p99_us / 1000).toFixed(2),
        wrk: w,
      })
      process.stderr.write(
        `# ${workUs} µs of work per request: ${r.ops}/s p50 ${r.p50_us / 1000} ms p99 ${r.p99_us / 1000} ms; wrk ${w.missing ?? `${w.ops}/s p50 ${w.p50_ms} ms p99 ${w.p99_ms} ms`}\n`,
      )
    }
    for (const workUs of WATCH_WORK_US) {
      const { child, server } = await start(workUs)
      const w = await watchCase(server, client(server, 1), { dur: DUR })
      child.kill()
      watchRows.push({ work_us: workUs, ...w })
      process.stderr.write(
        `# watch, ${workUs} µs of work per create: p50 ${w.p50_ms} ms p99 ${w.p99_ms} ms (create p99 ${w.create_p99_ms} ms, spread p99 ${w.spread_p99_ms} ms)\n`,
      )
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
  console.log(
    `\nBare Node HTTPS server, 64 in flight from Node's https agent — ${os.cpus().length} CPUs, Node ${process.version}, ${new Date().toISOString()}\n`,
  )
  console.log(
    'work per request   requests/s     p50       p99   | wrk: requests/s     p50       p99',
  )
  const wcol = (w) =>
    w.missing
      ? 'n/a'
      : `${String(w.ops).padStart(8)}  ${String(w.p50_ms).padStart(7)} ms ${String(w.p99_ms).padStart(7)} ms`
  for (const r of rows)
    console.log(
      `${String(r.work_us).padStart(6)} µs        ${String(r.ops).padStart(8)}  ${String(r.p50_ms).padStart(7)} ms ${String(r.p99_ms).padStart(7)} ms |    ${wcol(r.wrk)}`,
    )
  if (watchRows.length) {
    console.log(
      `\nThe same server with ${watchRows[0].watchers} watch streams, one create at a time (api.mjs's watch case): create call → event on each stream`,
    )
    console.log(
      'work per create      p50       p99   | the create p50 / p99 | first → last stream p50 / p99',
    )
    for (const r of watchRows)
      console.log(
        `${String(r.work_us).padStart(6)} µs     ${String(r.p50_ms).padStart(7)} ms ${String(r.p99_ms).padStart(7)} ms |  ${r.create_p50_ms} / ${r.create_p99_ms} ms        | ${r.spread_p50_ms} / ${r.spread_p99_ms} ms`,
      )
  }
  console.log(
    JSON.stringify({
      date: new Date().toISOString(),
      nproc: os.cpus().length,
      node: process.version,
      rows,
      watch: watchRows,
    }),
  )
}
