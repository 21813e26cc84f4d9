// Cold start on a node: the image is on the node's disk (pulled), never run there → first HTTP
// response. Two peers, interleaved, in the same run, each trial a fresh process with an empty
// runtime cache (so nothing is compiled, unpacked or transpiled yet, and no worker runs):
//   prepared — what an agent does since issue 13: the image as the plane's registry prepared it
//              (made once here, untimed, with the registry's prepareComponent), a runtime that
//              does not transpile: verify, unpack, instrument, compile, instantiate, answer;
//   transpile — the old path: the bare component, transpiled with jco on the node first;
//   threads-up — prepared, on a node already running pods (its host thread started 1 s before).
// For the small image (hello-wat, a handler) and the JS image (hello-http, StarlingMonkey). The
// timer starts where the agent's work does: warm() (threads started) and start() at once.
// SHOAL=bundle (default): the runtime as esbuild bundles it, its thread files beside it (what a
// Pi runs); SHOAL=tsx: the sources, every thread registering tsx first (much slower to start).
// Run: node bench/cold-start.mjs   (re-executes itself under tsx)   Env: ROUNDS=5 · BENCH_TMP=<dir>
// · APPS=hello-wat (only those images, while developing). A bundle trial runs without tsx, as an
// agent does (threads inherit --import: tsx in each of them slowed every thread start).
// Progress goes to stderr; stdout gets the table, the goal and, last, one JSON line.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const self = fileURLToPath(import.meta.url)
// a bundle trial runs without tsx, as an agent does: a thread inherits its process's --import,
// and tsx registered in every thread the runtime starts costs ≈ 100–250 ms of each thread's start
const bundleTrial = process.argv[2] === '--trial' && process.argv[7]?.endsWith('.mjs')
if (!process.execArgv.join(' ').includes('tsx') && !bundleTrial) {
  const args = ['--import', 'tsx', ...process.execArgv, self, ...process.argv.slice(2)]
  process.exit(spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1)
}

const root = join(self, '../..')
const build = join(root, 'firmware-images/.build')
const allApps = { 'hello-wat': 'handler', 'hello-http': 'http' }
/** APPS=hello-wat: only those images (while developing) */
const apps = process.env.APPS
  ? Object.fromEntries(process.env.APPS.split(',').map((a) => [a, allApps[a]]))
  : allApps

function request(url, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: body ? 'POST' : 'GET' }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode))
    })
    req.on('error', reject)
    req.end(body)
  })
}

// --- one trial, in a fresh process: runtime.start() → first response ------------------------------
if (process.argv[2] === '--trial') {
  const [, , , peer, app, image, cacheDir, runtimeModule] = process.argv
  const { createRuntime } = await import(runtimeModule)
  const { digest } = JSON.parse(readFileSync(join(build, `${app}.json`), 'utf8'))
  const prepared = peer !== 'transpile'
  const rt = createRuntime({ cacheDir, logDir: join(cacheDir, 'logs'), transpile: !prepared })
  if (peer === 'threads-up') {
    rt.warm() // a node already running pods: its host thread is up before the pod comes
    // 1 s: well after the threads are up, and before a warmed thread no instance came to ends
    // (worker-pool.ts: idleLingerMs, 2 s — a 2 s wait here measured a fresh thread's start)
    await new Promise((r) => setTimeout(r, 1000))
  }
  const t0 = performance.now()
  rt.warm() // as the agent does when a desired set with pods arrives: its threads start meanwhile
  await rt.start({
    id: 'cold',
    image: { digest, path: image, ...(prepared ? { prepared: JSON.parse(process.argv[8]) } : {}) },
    ...{ kind: apps[app], env: {}, args: [], volumes: [], network: false, limits: {} },
  })
  const status = await request(rt.url('cold'), app === 'hello-wat' ? 'x' : undefined)
  const ms = performance.now() - t0
  if (status !== 200) throw new Error(`${app}: HTTP ${status}`)
  console.log(JSON.stringify({ ms }))
  await rt.close()
  process.exit(0)
}

const { prepareComponent } = await import('../src/wasm-runtime/index.ts')
const ROUNDS = Number(process.env.ROUNDS ?? 5)
const tmp = mkdtempSync(join(process.env.BENCH_TMP ?? os.tmpdir(), 'shoal-bench-cold-'))
const log = (m) => process.stderr.write(`# ${m}\n`)
if (!existsSync(join(build, 'index.json')))
  spawnSync('npm', ['run', 'images'], { cwd: root, stdio: 'inherit' })
const useBundle = (process.env.SHOAL ?? 'bundle') === 'bundle'
const runtimeModule = useBundle ? await bundleRuntime() : join(root, 'src/wasm-runtime/index.ts')

/** the runtime bundled as dist/ bundles it: runtime.mjs, shoal-<thread>.mjs beside it */
async function bundleRuntime() {
  const { build: esbuild } = await import('esbuild')
  const { threadEntries } = await import('../src/wasm-runtime/thread-spawn.ts')
  const src = join(root, 'src/wasm-runtime')
  const out = join(tmp, 'bundle', 'dist')
  const entries = Object.entries(threadEntries).map(([k, v]) => [`shoal-${k}`, join(src, v)])
  await esbuild({
    entryPoints: { runtime: join(src, 'index.ts'), ...Object.fromEntries(entries) },
    ...{ outdir: out, outExtension: { '.js': '.mjs' }, bundle: true, platform: 'node' },
    ...{ target: 'node20.19', format: 'esm', logLevel: 'warning' },
    external: ['cbor-extract', '@bytecodealliance/*'],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  })
  symlinkSync(join(root, 'node_modules'), join(tmp, 'bundle', 'node_modules'), 'dir')
  return join(out, 'runtime.mjs')
}

function trial(peer, app, image, preparedDigest) {
  const cache = mkdtempSync(join(tmp, 'cache-'))
  const args = [...(useBundle ? [] : ['--import', 'tsx']), self, '--trial', peer, app, image]
  args.push(cache, runtimeModule)
  if (preparedDigest) args.push(JSON.stringify(preparedDigest))
  const out = spawnSync(process.execPath, args, { encoding: 'utf8' })
  rmSync(cache, { recursive: true, force: true })
  if (out.status !== 0) throw new Error(`${peer} ${app}: ${out.stderr}`)
  return JSON.parse(out.stdout.trim().split('\n').pop()).ms
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const range = (xs) => `${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))}`
const results = {}
try {
  for (const app of Object.keys(apps)) {
    const wasm = join(build, `${app}.wasm`)
    const { digest } = JSON.parse(readFileSync(join(build, `${app}.json`), 'utf8'))
    log(`${app}: preparing it as the registry does (untimed)`)
    const bytes = await prepareComponent(new Uint8Array(readFileSync(wasm)), digest)
    const preparedPath = join(tmp, `${app}.prepared`)
    writeFileSync(preparedPath, bytes)
    const { createHash } = await import('node:crypto')
    const preparedDigest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
    const r = { prepared: [], transpile: [], 'threads-up': [] }
    const peers = Object.keys(r)
    for (let i = 0; i < ROUNDS; i++) {
      log(`${app}: round ${i + 1}/${ROUNDS}`)
      for (let k = 0; k < peers.length; k++) {
        const peer = peers[(i + k) % peers.length] // the order rotates
        r[peer].push(
          peer === 'transpile'
            ? trial(peer, app, wasm)
            : trial(peer, app, preparedPath, preparedDigest),
        )
      }
    }
    results[app] = { ...r, preparedBytes: bytes.length, componentBytes: readFileSync(wasm).length }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true })
}

console.log(
  `cold start → first response · ${useBundle ? 'bundle' : 'tsx'} · ${os.cpus().length} CPU · Node ${process.version} · ${ROUNDS} rounds, peers interleaved, a fresh process and cache each`,
)
console.log(
  '| image | prepared at push (node) | transpiled on the node | ratio | prepared, threads already up |',
)
console.log('|---|---|---|---|---|')
const out = { date: new Date().toISOString(), shoal: useBundle ? 'bundle' : 'tsx', rounds: ROUNDS }
for (const [app, r] of Object.entries(results)) {
  const ratio = median(r.prepared) / median(r.transpile)
  console.log(
    `| ${app} | ${Math.round(median(r.prepared))} ms (${range(r.prepared)}) | ${Math.round(median(r.transpile))} ms (${range(r.transpile)}) | ${ratio.toFixed(2)}× | ${Math.round(median(r['threads-up']))} ms (${range(r['threads-up'])}) |`,
  )
  out[app] = {
    prepared_ms: r.prepared.map(Math.round),
    transpile_ms: r.transpile.map(Math.round),
    threads_up_ms: r['threads-up'].map(Math.round),
    ratio: +ratio.toFixed(3),
    prepared_bytes: r.preparedBytes,
    component_bytes: r.componentBytes,
  }
}
const small = median(results['hello-wat'].prepared)
console.log(
  ` ${small <= 300 ? 'PASS' : 'FAIL'}  small image cold start ≤ 300 ms   ${Math.round(small)} ms`,
)
console.log(JSON.stringify(out))
