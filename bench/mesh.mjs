// The mesh's data plane against nginx on loopback: wrk (Debian `wrk`, 2 threads, CONNS=50
// connections) for DUR seconds per case, against three backends (plain node:http servers in one
// child process, answering 13 bytes; the same for every peer):
//   direct        wrk → one backend (the floor)
//   nginx         wrk → nginx round robin over the three (upstream keepalive, NGINX_WORKERS=1,
//                 one worker: one core, like the mesh's one thread)
//   mesh local    wrk → Shoal's mesh (its own process) → the three as local endpoints (one hop,
//                 the same work as nginx's: the goal's comparison)
//   mesh remote   wrk → mesh of node n1 → mTLS over pooled keep-alive connections → mesh of
//                 node n2 (another process) → the three as n2's endpoints (two proxies and TLS)
//   direct → component   wrk → one instance of the handler component hello-wat (the floor of
//                 the next case)
//   mesh → components    wrk → the mesh → three instances of hello-wat as local endpoints: the
//                 real wasm-runtime in one child process, one runtime and three instances, as
//                 a node agent runs them (it transpiles at start, untimed; the agent's runs
//                 prepared images, transpile: false — the same code once running)
//   mesh → components in process   the same, but the mesh and the runtime in one process, as in
//                 an agent: handler pods get their requests handed over without a TCP hop
//                 (src/node-agent/local-dispatch.ts)
// Every case in every run, order rotating; RUNS (5) runs → median and range. Prints a table,
// the ratios to nginx, mesh → components ÷ direct → component and, last, one JSON line.
// Run: node bench/mesh.mjs   (re-executes itself under tsx) · Env: RUNS=5 DUR=5 CONNS=50 NGINX_WORKERS=1
//      MESH=bundle (default: src/mesh bundled by esbuild, as a node runs it) | tsx (the sources)
//      CASES=nginx,mesh local (a comma-separated subset; default all) · MESH_NODE_ARGS='--cpu-prof'
//      (node flags of the mesh processes, e.g. a profile written to their cwd at exit)
// Needs /usr/bin/wrk and /usr/sbin/nginx (apt-get install -y wrk nginx).
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import os from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const self = fileURLToPath(import.meta.url)
if (!process.execArgv.join(' ').includes('tsx')) {
  const args = ['--import', 'tsx', ...process.execArgv, self, ...process.argv.slice(2)]
  process.exit(spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1)
}

const role = process.argv[2]
if (role === 'backends') await backends()
else if (role === 'mesh') await meshChild()
else if (role === 'components') await components()
else if (role === 'mesh-components') await meshWithComponents()
else await main()

/** child: three backends; prints their ports as one JSON line */
async function backends() {
  const body = Buffer.from('hello, mesh!\n')
  const ports = []
  for (let i = 0; i < 3; i++) {
    const server = createServer({ keepAlive: true }, (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length })
      res.end(body)
    })
    server.keepAliveTimeout = 60_000
    await new Promise((r) => server.listen(0, '127.0.0.1', r))
    ports.push(server.address().port)
  }
  console.log(JSON.stringify(ports))
}

/** child: one wasm-runtime, three instances of hello-wat (handler); prints their ports */
async function components() {
  const { createRuntime } = await import('../src/wasm-runtime/index.ts')
  const { fixture } = await import('../test/wasm-runtime/images.ts')
  const f = fixture()
  const runtime = createRuntime({ cacheDir: f.cacheDir, logDir: f.logDir })
  const ports = []
  for (let i = 0; i < 3; i++) {
    const id = `hello-wat-${i}`
    await runtime.start(f.spec(id, 'hello-wat', 'handler'))
    ports.push(Number(new URL(runtime.url(id)).port))
  }
  process.once('SIGTERM', () => {
    void runtime.close().finally(() => {
      f.cleanup()
      process.exit(0)
    })
  })
  console.log(JSON.stringify(ports))
}

/** child: a runtime with three hello-wat instances and a mesh handing them requests in process
 *  (the agent's dispatcher); prints the mesh's local port */
async function meshWithComponents() {
  const { createMesh } = await import(process.argv[3] ?? '../src/mesh/index.ts')
  const { createRuntime } = await import('../src/wasm-runtime/index.ts')
  const { localDispatcher } = await import('../src/node-agent/local-dispatch.ts')
  const { fixture } = await import('../test/wasm-runtime/images.ts')
  const { endpoint, service } = await import('../src/mesh/mesh-fixture.ts')
  const f = fixture()
  const runtime = createRuntime({ cacheDir: f.cacheDir, logDir: f.logDir })
  const ports = []
  for (let i = 0; i < 3; i++) {
    const id = `hello-wat-${i}`
    await runtime.start(f.spec(id, 'hello-wat', 'handler'))
    ports.push(Number(new URL(runtime.url(id)).port))
  }
  const dispatcher = localDispatcher(runtime)
  const mesh = createMesh({
    nodeName: 'n1',
    local: { port: 0 },
    dispatchLocal: dispatcher.dispatch,
    servesLocal: dispatcher.serves,
  })
  const { local } = await mesh.start()
  await mesh.setTable({
    revision: 1,
    services: [
      service(
        'components',
        ports.map((port, i) => endpoint(`c-${i}`, 'n1', port)),
      ),
    ],
    nodes: [{ name: 'n1', address: '127.0.0.1', meshPort: 0, online: true }],
  })
  process.once('SIGTERM', () => {
    void Promise.all([mesh.stop(), runtime.close()]).finally(() => {
      f.cleanup()
      process.exit(0)
    })
  })
  console.log(JSON.stringify(local))
}

/** child: one mesh; its config (JSON) in argv[3]; prints its ports, then takes tables on stdin */
async function meshChild() {
  const cfg = JSON.parse(process.argv[3])
  if (process.env.MESH_FAST === '0') cfg.fastPath = false // the node:http path for every request
  const { createMesh } = await import(process.argv[4] ?? '../src/mesh/index.ts')
  const mesh = createMesh(cfg)
  process.once('SIGTERM', () => process.exit(0)) // an exit: --cpu-prof writes its profile
  console.log(JSON.stringify(await mesh.start()))
  let buf = ''
  process.stdin.on('data', (c) => {
    buf += c
    let nl
    while ((nl = buf.indexOf('\n')) >= 0) {
      void mesh.setTable(JSON.parse(buf.slice(0, nl)))
      buf = buf.slice(nl + 1)
      console.log('"ok"')
    }
  })
}

function firstLine(child) {
  return new Promise((resolve, reject) => {
    let out = ''
    const onData = (c) => {
      out += c
      const nl = out.indexOf('\n')
      if (nl < 0) return
      child.stdout.off('data', onData)
      resolve(JSON.parse(out.slice(0, nl)))
    }
    child.stdout.on('data', onData)
    child.once('exit', (code) => reject(new Error(`child exited ${code}`)))
  })
}

async function main() {
  const RUNS = Number(process.env.RUNS ?? 5)
  const DUR = Number(process.env.DUR ?? 5)
  const CONNS = Number(process.env.CONNS ?? 50)
  const NGINX_WORKERS = process.env.NGINX_WORKERS ?? '1'
  for (const bin of ['wrk', 'nginx'])
    if (spawnSync(bin, ['-v']).error)
      throw new Error(`bench: ${bin} is not on PATH (apt-get install -y wrk nginx)`)
  const tmp = mkdtempSync(join(process.env.BENCH_TMP ?? os.tmpdir(), 'shoal-bench-mesh-'))
  const children = []
  process.on('exit', () => children.forEach((c) => c.kill('SIGTERM')))
  const progress = (m) => process.stderr.write(`# ${m}\n`)
  const start = (args, opts = {}, nodeArgs = []) => {
    const c = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', self, ...args], {
      stdio: ['pipe', 'pipe', 'inherit'],
      ...opts,
    })
    children.push(c)
    return c
  }
  const load0 = os.loadavg()
  // what a node runs: the mesh bundled by esbuild (as dist/ is), not the sources under tsx's loader
  const meshModule = join(tmp, 'mesh.mjs')
  if ((process.env.MESH ?? 'bundle') === 'bundle') {
    const { build } = await import('esbuild')
    await build({
      entryPoints: [fileURLToPath(new URL('../src/mesh/index.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: meshModule,
      logLevel: 'error',
      // undici's CommonJS requires node: built-ins, as dist/'s banner provides
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    })
  }
  const meshArg = (process.env.MESH ?? 'bundle') === 'bundle' ? [meshModule] : []
  const meshNodeArgs = (process.env.MESH_NODE_ARGS ?? '').split(' ').filter(Boolean)
  try {
    const ports = await firstLine(start(['backends']))
    const componentPorts = await firstLine(start(['components']))
    const nginxPort = await freePort()
    writeFileSync(join(tmp, 'nginx.conf'), nginxConf(tmp, nginxPort, ports, NGINX_WORKERS))
    const nginx = spawn('nginx', ['-c', join(tmp, 'nginx.conf'), '-p', tmp], { stdio: 'inherit' })
    children.push(nginx)

    const { endpoint, fleetCa, nodeCommonName, service } =
      await import('../src/mesh/mesh-fixture.ts')
    const ca = await fleetCa()
    const tlsOf = async (name) => ({
      host: '127.0.0.1',
      port: 0,
      ca: ca.ca,
      ...(await ca.issue(nodeCommonName(name))),
    })
    const m1 = start(
      [
        'mesh',
        JSON.stringify({ nodeName: 'n1', local: { port: 0 }, tls: await tlsOf('n1') }),
        ...meshArg,
      ],
      {},
      meshNodeArgs,
    )
    const m2 = start(
      [
        'mesh',
        JSON.stringify({ nodeName: 'n2', local: { port: 0 }, tls: await tlsOf('n2') }),
        ...meshArg,
      ],
      {},
      meshNodeArgs,
    )
    const mc = start(['mesh-components', ...meshArg], {}, meshNodeArgs)
    const [p1, p2, inProcess] = await Promise.all([firstLine(m1), firstLine(m2), firstLine(mc)])
    const svc = (name, node) =>
      service(
        name,
        ports.map((port, i) => endpoint(`${node}-${i}`, node, port)),
      )
    const meshTable = {
      revision: 1,
      services: [
        svc('local', 'n1'),
        svc('remote', 'n2'),
        service(
          'components',
          componentPorts.map((port, i) => endpoint(`c-${i}`, 'n1', port)),
        ),
      ],
      nodes: [
        { name: 'n1', address: '127.0.0.1', meshPort: p1.tls, online: true },
        { name: 'n2', address: '127.0.0.1', meshPort: p2.tls, online: true },
      ],
    }
    for (const m of [m1, m2]) m.stdin.write(JSON.stringify(meshTable) + '\n')
    await Promise.all([m1, m2].map((m) => firstLine(m)))
    await waitHttp(nginxPort)

    const wanted = process.env.CASES?.split(',').map((x) => x.trim())
    // CPU time of the proxy's process(es) a request: less swayed by others' load than req/s
    const nginxPids = () => [nginx.pid, ...childPids(nginx.pid)]
    const cases = [
      { name: 'direct', port: ports[0], host: 'backend' },
      { name: 'nginx', port: nginxPort, host: 'web', pids: nginxPids },
      { name: 'mesh local', port: p1.local, host: 'local', pids: () => [m1.pid] },
      { name: 'mesh remote', port: p1.local, host: 'remote.default', pids: () => [m1.pid, m2.pid] },
      { name: 'direct → component', port: componentPorts[0], host: 'component' },
      { name: 'mesh → components', port: p1.local, host: 'components', pids: () => [m1.pid] },
      // its CPU column counts the instances' threads too (one process)
      {
        name: 'mesh → components in process',
        port: inProcess,
        host: 'components',
        pids: () => [mc.pid],
      },
    ].filter((c) => !wanted || c.name === 'nginx' || wanted.includes(c.name))
    const results = Object.fromEntries(cases.map((c) => [c.name, []]))
    for (let run = 0; run < RUNS; run++) {
      const order = cases.map((_, i) => cases[(i + run) % cases.length])
      for (const c of order) {
        wrk(c, 1, CONNS) // warm-up
        const pids = c.pids?.() ?? []
        const cpu0 = pids.map(cpuMs)
        const r = wrk(c, DUR, CONNS)
        const cpu = pids.reduce((sum, pid, i) => sum + cpuMs(pid) - cpu0[i], 0)
        r.cpu_us = pids.length ? (cpu * 1000) / r.requests : NaN
        if (r.non2xx || r.errors)
          progress(`${c.name}: ${r.non2xx} non-2xx, ${r.errors} socket errors`)
        results[c.name].push(r)
        progress(
          `run ${run + 1}/${RUNS} ${c.name}: ${Math.round(r.ops)} req/s, p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms, proxy CPU ${r.cpu_us.toFixed(1)} µs/req`,
        )
      }
    }
    report(results, { RUNS, DUR, CONNS, NGINX_WORKERS, load: [load0, os.loadavg()] })
  } finally {
    for (const c of children) c.kill('SIGTERM')
    rmSync(tmp, { recursive: true, force: true })
  }
}

function wrk(c, dur, conns) {
  const script = fileURLToPath(new URL('./lib/wrk-report.lua', import.meta.url))
  const r = spawnSync(
    'wrk',
    [
      '-t2',
      `-c${conns}`,
      `-d${dur}s`,
      '-H',
      `Host: ${c.host}`,
      '-s',
      script,
      `http://127.0.0.1:${c.port}/`,
    ],
    { encoding: 'utf8' },
  )
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('{'))
  if (!line) throw new Error(`bench: wrk failed on ${c.name}: ${r.stderr || r.stdout}`)
  return JSON.parse(line)
}

/** user + system CPU time of a process so far, ms (Linux /proc; clock ticks of 10 ms) */
function cpuMs(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(f[11]) + Number(f[12])) * 10
  } catch {
    return 0
  }
}

function childPids(pid) {
  const out = []
  for (const d of readdirSync('/proc'))
    if (/^\d+$/.test(d))
      try {
        if (readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ')[1] === String(pid))
          out.push(Number(d))
      } catch {
        // gone
      }
  return out
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

function report(results, meta) {
  const fig = (name, key) => {
    const xs = results[name].map((r) => r[key])
    return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) }
  }
  const fmt = (f, d = 0) => `${f.median.toFixed(d)} (${f.min.toFixed(d)}–${f.max.toFixed(d)})`
  const out = {}
  console.log(
    `\nmesh.mjs — ${meta.RUNS} runs × ${meta.DUR} s, ${meta.CONNS} connections, nginx workers ${meta.NGINX_WORKERS}, load average ${meta.load[0][0].toFixed(1)} → ${meta.load[1][0].toFixed(1)} on ${os.cpus().length} CPUs\n`,
  )
  console.log('| case | req/s | p50 ms | p99 ms | req/s ÷ nginx | p99 ÷ nginx | proxy CPU µs/req |')
  console.log('|---|---|---|---|---|---|---|')
  const ratios = (name, key) => results[name].map((r, i) => r[key] / results.nginx[i][key])
  for (const name of Object.keys(results)) {
    const ops = fig(name, 'ops')
    const p50 = fig(name, 'p50_ms')
    const p99 = fig(name, 'p99_ms')
    const rOps = median(ratios(name, 'ops'))
    const rP99 = median(ratios(name, 'p99_ms'))
    const cpu = fig(name, 'cpu_us')
    out[name] = {
      ops,
      p50_ms: p50,
      p99_ms: p99,
      ops_vs_nginx: rOps,
      p99_vs_nginx: rP99,
      cpu_us: cpu,
    }
    console.log(
      `| ${name} | ${fmt(ops)} | ${fmt(p50, 2)} | ${fmt(p99, 2)} | ${rOps.toFixed(2)}× | ${rP99.toFixed(2)}× | ${Number.isFinite(cpu.median) ? fmt(cpu, 1) : '—'} |`,
    )
  }
  const local = out['mesh local'] ?? { ops_vs_nginx: NaN, p99_vs_nginx: NaN }
  console.log(
    `\ngoal: mesh ≥ 0.6× nginx req/s — ${local.ops_vs_nginx >= 0.6 ? 'met' : 'NOT met'} (${local.ops_vs_nginx.toFixed(2)}×); p99 ≤ nginx's — ${local.p99_vs_nginx <= 1 ? 'met' : 'NOT met'} (${local.p99_vs_nginx.toFixed(2)}×)`,
  )
  const comp = (results['direct → component'] ?? []).map(
    (r, i) => results['mesh → components']?.[i]?.ops / r.ops,
  )
  out.components_vs_direct = median(comp)
  if (comp.length && comp.every(Number.isFinite))
    console.log(
      `mesh → components ÷ direct → component: req/s ${median(comp).toFixed(2)}× (${Math.min(...comp).toFixed(2)}–${Math.max(...comp).toFixed(2)})`,
    )
  console.log(JSON.stringify({ bench: 'mesh', ...meta, results: out }))
}

function nginxConf(dir, port, backends, workers) {
  return `daemon off;
worker_processes ${workers};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream backends {
${backends.map((p) => `    server 127.0.0.1:${p};`).join('\n')}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    keepalive_requests 100000;
    location / {
      proxy_pass http://backends;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

async function waitHttp(port) {
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`bench: nothing answers on ${port}`)
}
