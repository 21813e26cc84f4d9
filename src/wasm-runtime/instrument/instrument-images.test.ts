// The sample images (firmware-images/.build, made by `npm run images`) are components; jco
// transpiles each into core modules + glue. Every core module must instrument and validate, and
// the instrumented modules must actually bound a runaway loop (spinner) and a memory hog (memhog)
// when run through jco's instantiation-mode glue with preview2-shim, each in a child process.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { transpile } from '@bytecodealliance/jco'
import { wasm } from './fixtures/wasm-api.ts'
import { objdumpInstructions, skipWithoutWabt } from './fixtures/wat.ts'
import { instrumentModule, isComponent, isCoreModule } from './index.ts'

skipWithoutWabt(import.meta.url)

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, '../../..')
const buildDir = join(root, 'firmware-images/.build')
const work = mkdtempSync(join(tmpdir(), 'shoal-instrument-'))

function imageNames(): string[] {
  const index = join(buildDir, 'index.json')
  if (!existsSync(index)) assert.unreachable(`${index} is missing: run \`npm run images\` first`)
  return (JSON.parse(readFileSync(index, 'utf8')).images as { name: string }[]).map((i) => i.name)
}

/** Transpile an image (instantiation mode) into work/<name>/; returns its core modules. */
async function transpileImage(name: string): Promise<Map<string, Uint8Array>> {
  const component = new Uint8Array(readFileSync(join(buildDir, `${name}.wasm`)))
  assert.ok(isComponent(component) && !isCoreModule(component), `${name} is a component`)
  const { files } = await transpile(component, {
    name,
    instantiation: 'async',
    noTypescript: true,
    quiet: true,
  })
  const cores = new Map<string, Uint8Array>()
  for (const [file, bytes] of Object.entries(files)) {
    mkdirSync(dirname(join(work, name, file)), { recursive: true })
    writeFileSync(join(work, name, file), bytes)
    if (file.endsWith('.wasm')) cores.set(file, bytes)
  }
  return cores
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`

test('every core module of every image instruments (fuel + 1024-page cap), validates, and was walked fully', async () => {
  const names = imageNames()
  assert.ok(names.includes('spinner') && names.includes('memhog') && names.includes('hello-http'))
  for (const name of names) {
    for (const [file, bytes] of await transpileImage(name)) {
      assert.ok(isCoreModule(bytes), `${file} is a core module`)
      const started = performance.now()
      const { bytes: out, stats } = instrumentModule(bytes, { fuel: true, maxMemoryPages: 1024 })
      const ms = performance.now() - started
      assert.ok(wasm.validate(out), `${file} validates after instrumentation`)
      assert.is(
        stats.instructions,
        objdumpInstructions(bytes),
        `${file}: the walker saw every instruction wasm-objdump sees`,
      )
      const growth = ((out.length / bytes.length - 1) * 100).toFixed(1)
      console.log(
        `  ${file.padEnd(24)} ${kib(bytes.length).padStart(12)} → ${kib(out.length).padStart(12)} (+${growth}%)` +
          `  ${ms.toFixed(1).padStart(6)} ms  ${stats.functions} functions, ${stats.loops} loops, ${stats.memories} memories`,
      )
    }
  }
})

interface RunResult {
  outcome: string
  message: string
  runMs: number
  memoryMiB: number
  peakRssMB: number
  answers?: { status: number; body: string; ms: number; fuelUsed: string }[]
  traps?: string[]
}

/** Run the command in a child; undefined if it had to be killed after `timeoutMs`. */
function runCommand(
  name: string,
  options: object,
  timeoutMs: number,
): Promise<RunResult | undefined> {
  const script = join(here, 'fixtures/run-command.ts')
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, join(work, name), name, JSON.stringify(options)],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  return new Promise((done) => {
    child.on('close', () => {
      clearTimeout(timer)
      const line = /^RESULT (.*)$/m.exec(out)
      done(line ? (JSON.parse(line[1]!) as RunResult) : undefined)
    })
  })
}

test('spinner with 1e8 fuel traps (unreachable) instead of spinning forever', async () => {
  const result = await runCommand('spinner', { fuel: String(10n ** 8n) }, 60_000)
  assert.ok(result, 'the child reported back (it did not hang)')
  assert.is(result.outcome, 'trap', result.message)
  assert.match(result.message, /unreachable/)
  console.log(`  spinner stopped by fuel after ${result.runMs} ms of run()`)
})

test('spinner without fuel is still running when killed after 3 s (what fuel prevents)', async () => {
  const result = await runCommand('spinner', { maxMemoryPages: 1024 }, 3_000)
  assert.is(result, undefined)
})

test('memhog under a 1024-page (64 MiB) cap fails its allocation and RSS stays bounded', async () => {
  const result = await runCommand('memhog', { maxMemoryPages: 1024 }, 60_000)
  assert.ok(result, 'the child reported back')
  assert.ok(
    result.outcome === 'trap' || result.outcome === 'exit',
    `${result.outcome}: ${result.message}`,
  )
  assert.ok(result.memoryMiB <= 64, `linear memory ${result.memoryMiB} MiB`)
  assert.ok(result.peakRssMB < 300, `peak RSS ${result.peakRssMB} MB`)
  console.log(
    `  memhog ended (${result.outcome}) at ${result.memoryMiB} MiB linear memory, peak RSS ${result.peakRssMB} MB, after ${result.runMs} ms`,
  )
})

test('hello-http (12 MB StarlingMonkey) instrumented serves requests; one with too little fuel traps', async () => {
  const plenty = String(10n ** 12n)
  const result = await runCommand(
    'hello-http',
    { maxMemoryPages: 1024, requests: [plenty, plenty, '100000'] },
    90_000,
  )
  assert.ok(result?.answers, 'the child reported back')
  const [first, second, starved] = result.answers
  assert.is(first!.status, 200)
  assert.match(second!.body, /"pod":"hello-http"/)
  assert.is(starved!.status, 0, 'no answer to the starved request')
  assert.equal(result.traps?.length, 1)
  assert.match(result.traps![0]!, /unreachable/)
  console.log(
    `  hello-http: ${first!.fuelUsed} and ${second!.fuelUsed} fuel for two requests (${first!.ms} ms, ${second!.ms} ms)`,
  )
})

test.after(() => rmSync(work, { recursive: true, force: true }))

test.run()
