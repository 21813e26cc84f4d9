#!/usr/bin/env node
// Test runner: type check and lint (eslint, prettier --check), then every *.test.ts under src/ and test/, each file in its own
// process (a crash or a hang in one file cannot take the others down). First it builds the sample
// images that are missing or stale (firmware-images/build.mjs: npm packages only, cached, progress
// on stderr). uvu prints a summary per file; this adds them up and ends with the line CI reads:
// "N passed, N failed, N skipped". A test that cannot run here (a peer such as Mosquitto,
// docker-registry or kubectl is missing) prints one line starting "SKIPPED " (test/peers.ts):
// each such line is shown and counts as one skipped test, not as a pass.
// Usage: npm test [-- substring ...]   (only files whose path contains one of the substrings)
import { spawn } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { availableParallelism } from 'node:os'

const root = new URL('..', import.meta.url).pathname
const filters = process.argv.slice(2)
const perFileTimeoutMs = Number(process.env.TEST_TIMEOUT_MS ?? 600_000)
const jobs = Number(process.env.TEST_JOBS ?? Math.max(1, Math.min(availableParallelism(), 2)))

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue
    const p = join(dir, name)
    if (statSync(p).isDirectory()) findTests(p, out)
    else if (name.endsWith('.test.ts')) out.push(relative(root, p))
  }
  return out
}

function run(cmd, args, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, FORCE_COLOR: '0' } })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    const timer = setTimeout(() => {
      out += `\n[runner] killed after ${timeoutMs} ms\n`
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code: code ?? (signal ? 1 : 0), out })
    })
  })
}

const skipLine = /^\s*SKIPPED\b/

function summarize(file, { code, out }) {
  const total = Number(/Total:\s+(\d+)/.exec(out)?.[1] ?? 0)
  const uvuPassed = Number(/Passed:\s+(\d+)/.exec(out)?.[1] ?? 0)
  const uvuSkipped = Number(/Skipped:\s+(\d+)/.exec(out)?.[1] ?? 0)
  let failed = total - uvuPassed - uvuSkipped
  if (code !== 0 && failed === 0) failed = 1 // crashed, hung or never reached its summary
  // a test that said SKIPPED passed for uvu: count it as skipped
  const skipLines = out.split('\n').filter((line) => skipLine.test(line)).length
  const passed = Math.max(0, uvuPassed - skipLines)
  return { file, passed, failed, skipped: uvuSkipped + skipLines, out }
}

const files = findTests(join(root, 'src'))
  .concat(findTests(join(root, 'test')))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort()

const started = Date.now()
const results = []
let passed = 0
let failed = 0
let skipped = 0

/** the whole-tree checks: each counts as one test */
const checks = [
  ['typecheck', [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', '.']],
  ['lint', [join(root, 'node_modules/eslint/bin/eslint.js'), '.']],
  [
    'format',
    [join(root, 'node_modules/prettier/bin/prettier.cjs'), '--check', '--log-level', 'warn', '.'],
  ],
]
if (filters.length === 0 || process.env.TYPECHECK === '1') {
  const results = await Promise.all(checks.map(([, args]) => run(process.execPath, args, 600_000)))
  checks.forEach(([name], i) => {
    if (results[i].code === 0) {
      passed++
      console.log(`ok   ${name}`)
    } else {
      failed++
      console.log(
        `FAIL ${name}` +
          (name === 'format' ? ' (npm run format fixes it)' : '') +
          '\n' +
          results[i].out,
      )
    }
  })
}

// the sample images, before the files that use them (a no-op when they are up to date)
if (files.length) {
  const images = await new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'firmware-images/build.mjs')], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    })
    child.on('close', (code) => resolve(code))
  })
  if (images !== 0) {
    failed++
    console.log('FAIL images (firmware-images/build.mjs, above): tests that use them will fail')
  }
}

let next = 0
async function worker() {
  while (next < files.length) {
    const file = files[next++]
    const t0 = Date.now()
    const res = summarize(
      file,
      await run(process.execPath, ['--import', 'tsx', file], perFileTimeoutMs),
    )
    const ms = Date.now() - t0
    results.push(res)
    const status = res.failed ? 'FAIL' : 'ok  '
    console.log(
      `${status} ${file}  (${res.passed} passed${res.skipped ? `, ${res.skipped} skipped` : ''}${res.failed ? `, ${res.failed} failed` : ''}, ${ms} ms)`,
    )
    if (res.failed || process.env.TEST_VERBOSE) console.log(res.out.replace(/^/gm, '    '))
    else
      for (const line of res.out.split('\n'))
        if (skipLine.test(line)) console.log('    ' + line.trim())
  }
}
await Promise.all(Array.from({ length: jobs }, worker))

for (const r of results) {
  passed += r.passed
  failed += r.failed
  skipped += r.skipped
}
console.log(`\n${files.length} test files in ${((Date.now() - started) / 1000).toFixed(1)} s`)
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exitCode = failed ? 1 : 0
