#!/usr/bin/env node
// Test runner: type check and lint (eslint, prettier --check), then every *.test.ts under src/ and test/, each file in its own
// process (a crash or a hang in one file cannot take the others down). uvu prints a summary per
// file; this adds them up and ends with the line CI reads: "N passed, N failed".
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

function summarize(file, { code, out }) {
  const total = Number(/Total:\s+(\d+)/.exec(out)?.[1] ?? 0)
  const passed = Number(/Passed:\s+(\d+)/.exec(out)?.[1] ?? 0)
  const skipped = Number(/Skipped:\s+(\d+)/.exec(out)?.[1] ?? 0)
  let failed = total - passed - skipped
  if (code !== 0 && failed === 0) failed = 1 // crashed, hung or never reached its summary
  return { file, passed, failed, skipped, out }
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
        if (/^\s*SKIPPED /.test(line)) console.log('    ' + line.trim())
  }
}
await Promise.all(Array.from({ length: jobs }, worker))

for (const r of results) {
  passed += r.passed
  failed += r.failed
  skipped += r.skipped
}
console.log(`\n${files.length} test files in ${((Date.now() - started) / 1000).toFixed(1)} s`)
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exitCode = failed ? 1 : 0
