// The sample component images in firmware-images/.build (made by `npm run images`; npm test makes them): every image is
// listed, is a valid component whose digest matches its bytes, and actually runs. Each component is
// transpiled with jco and run in a child process with preview2-shim's per-instance WASI sandbox
// (env, args, preopens), so an exit code is a real exit code. The real runtime lives elsewhere.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { transpile } from '@bytecodealliance/jco'

const root = resolve(dirname(new URL(import.meta.url).pathname), '..')
const buildDir = join(root, 'firmware-images/.build')
const names = [
  'caller',
  'crasher',
  'hello-http',
  'hello-wat',
  'hello-wat-v2',
  'memhog',
  'sensor-job',
  'sleeper',
  'spinner',
]
const work = mkdtempSync(join(tmpdir(), 'shoal-images-'))

type Metadata = {
  name: string
  digest: string
  size: number
  kind: string
  world: string
  extra?: boolean
}
type Sandbox = { env?: Record<string, string>; args?: string[]; preopens?: Record<string, string> }

function readIndex(): Metadata[] {
  const file = join(buildDir, 'index.json')
  if (!existsSync(file)) assert.unreachable(`${file} is missing: run \`npm run images\` first`)
  return JSON.parse(readFileSync(file, 'utf8')).images
}

/** the image and, where clang-14 built it, its C version (`<name>-c`, an optional extra) */
function variants(name: string): string[] {
  return readIndex()
    .map((image) => image.name)
    .filter((n) => n === name || n === `${name}-c`)
}

function wasmOf(name: string): Buffer {
  return readFileSync(join(buildDir, `${name}.wasm`))
}

/** Transpiles an image once (instantiation mode) into the work dir; returns the glue's path. */
const transpiled = new Map<string, string>()
async function transpileImage(name: string): Promise<string> {
  if (!transpiled.has(name)) {
    const { files } = await transpile(wasmOf(name), {
      name,
      instantiation: 'async',
      noTypescript: true,
      quiet: true,
    })
    const dir = join(work, name)
    for (const [file, bytes] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true })
      writeFileSync(join(dir, file), bytes)
    }
    transpiled.set(name, join(dir, `${name}.js`))
  }
  return transpiled.get(name)!
}

// The child: instantiate with a sandboxed WASIShim, then run the command (its exit is the process
// exit) or serve HTTP on 127.0.0.1 and print the address.
const runner = `
import { WASIShim } from '@bytecodealliance/preview2-shim/instantiation'
import { HTTPServer } from '@bytecodealliance/preview2-shim/http'
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
const [glue, mode, sandbox] = process.argv.slice(1)
const { instantiate } = await import(glue)
const shim = new WASIShim({ sandbox: { enableNetwork: false, ...JSON.parse(sandbox) } })
const core = async (file) => WebAssembly.compile(await readFile(join(dirname(glue), file)))
const component = await instantiate(core, shim.getImportObject())
if (mode === 'serve') {
  const server = new HTTPServer(component.incomingHandler)
  server.listen(0, '127.0.0.1')
  console.log('listening ' + JSON.stringify(server.address()))
} else {
  component.run.run()
}
`

function startChild(
  glue: string,
  mode: 'run' | 'serve',
  sandbox: Sandbox,
  nodeFlags: string[] = [],
): ChildProcess {
  const args = [
    ...nodeFlags,
    '--input-type=module',
    '-e',
    runner,
    glue,
    mode,
    JSON.stringify(sandbox),
  ]
  return spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
}

// tsconfig's lib has no WebAssembly types; this test needs only compile()
const wasm = (
  globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<object> } }
).WebAssembly

type Outcome = { code: number | null; stdout: string; stderr: string }

/** Runs a command image to its end (or kills it after timeoutMs); returns exit code and output. */
async function runCommand(
  name: string,
  sandbox: Sandbox,
  options: { timeoutMs?: number; nodeFlags?: string[] } = {},
): Promise<Outcome> {
  const child = startChild(await transpileImage(name), 'run', sandbox, options.nodeFlags)
  const outcome: Outcome = { code: null, stdout: '', stderr: '' }
  child.stdout!.on('data', (chunk) => (outcome.stdout += chunk))
  child.stderr!.on('data', (chunk) => (outcome.stderr += chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000)
  outcome.code = await new Promise<number | null>((done) => child.on('close', (code) => done(code)))
  clearTimeout(timer)
  return outcome
}

/** Waits until the child's stdout matches pattern; returns the match. */
function waitForOutput(
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs = 20_000,
): Promise<RegExpMatchArray> {
  let seen = ''
  return new Promise((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`no ${pattern} within ${timeoutMs} ms; output: ${seen}`)),
      timeoutMs,
    )
    child.stdout!.on('data', (chunk) => {
      seen += chunk
      const match = pattern.exec(seen)
      if (match) {
        clearTimeout(timer)
        done(match)
      }
    })
    child.stderr!.on('data', (chunk) => (seen += chunk))
  })
}

test('index.json lists all nine images (and the C extras where clang-14 built them), each with its metadata file', () => {
  const index = readIndex()
  assert.equal(
    index
      .filter((image) => !image.extra)
      .map((image) => image.name)
      .sort(),
    names,
  )
  for (const extra of index.filter((image) => image.extra))
    assert.ok(
      names.includes(extra.name.replace(/-c$/, '')),
      `${extra.name} is the C version of a sample`,
    )
  for (const image of index) {
    const metadata = JSON.parse(readFileSync(join(buildDir, `${image.name}.json`), 'utf8'))
    assert.equal(metadata, image, `${image.name}.json matches index.json`)
  }
})

test('every image is a component whose digest and size match its bytes', () => {
  const preamble = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00])
  for (const image of readIndex()) {
    const bytes = wasmOf(image.name)
    assert.equal(
      bytes.subarray(0, 8),
      preamble,
      `${image.name}.wasm starts with the component preamble`,
    )
    assert.is(
      image.digest,
      'sha256:' + createHash('sha256').update(bytes).digest('hex'),
      `${image.name} digest`,
    )
    assert.is(image.size, bytes.length, `${image.name} size`)
  }
})

test('hello-wat is a handler of at most 100 KB', () => {
  const image = readIndex().find((i) => i.name === 'hello-wat')!
  assert.is(image.kind, 'handler')
  assert.ok(image.size <= 100_000, `hello-wat is ${image.size} bytes`)
})

test('hello-wat answers every call, small and large', async () => {
  const { instantiate } = await import(await transpileImage('hello-wat'))
  const dir = join(work, 'hello-wat')
  const core = async (file: string) => wasm.compile(readFileSync(join(dir, file)))
  const handler = await instantiate(core, {})
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
  assert.is(decode(handler.handle(new TextEncoder().encode('ping'))), 'hello from wat: ping')
  assert.is(decode(handler.handle(new TextEncoder().encode('pong'))), 'hello from wat: pong')
  const large = new Uint8Array(300_000).fill(0x61) // more than the initial 64 KiB page: memory grows
  const answer: Uint8Array = handler.handle(large)
  assert.is(answer.length, 16 + large.length)
  assert.is(decode(answer.subarray(0, 17)), 'hello from wat: a')
})

test('sensor-job reads its granted /data directory, prints args and SENSOR_ID, exits 0', async () => {
  const data = join(work, 'data')
  mkdirSync(data, { recursive: true })
  writeFileSync(join(data, 'temperature.csv'), 'ts,celsius\n1,20.5\n2,21.0\n')
  writeFileSync(join(data, 'note.txt'), 'no newline at the end')
  for (const name of variants('sensor-job')) {
    const outcome = await runCommand(name, {
      env: { SENSOR_ID: 'pi-07' },
      args: ['sensor-job', '--window', '5m'],
      preopens: { '/data': data },
    })
    assert.is(outcome.code, 0, outcome.stderr)
    assert.match(outcome.stdout, 'sensor-job: 2 files in /data\n', name)
    const files = outcome.stdout.split('\n').filter((line) => line.startsWith('  '))
    assert.equal(files, [
      '  note.txt: 21 bytes, 1 lines, first line: no newline at the end',
      '  temperature.csv: 25 bytes, 3 lines, first line: ts,celsius',
    ])
    assert.match(outcome.stdout, 'sensor-job: args: sensor-job --window 5m\n')
    assert.match(outcome.stdout, 'sensor-job: SENSOR_ID=pi-07\n')
    assert.match(outcome.stdout, 'sensor-job: done, 2 files, 46 bytes\n')
  }
})

test('sensor-job without a granted /data fails with exit code 1', async () => {
  for (const name of variants('sensor-job')) {
    const outcome = await runCommand(name, { env: {}, args: ['sensor-job'] })
    assert.is(outcome.code, 1, name)
    assert.match(outcome.stderr, 'sensor-job: cannot read /data (is it granted as a volume?)')
  }
})

test('crasher exits with code 3 by default, or CRASH_CODE', async () => {
  for (const name of variants('crasher')) {
    const first = await runCommand(name, { env: { CRASH_AFTER_MS: '50' } })
    assert.is(first.code, 3, first.stderr)
    assert.is(first.stdout, 'crasher: started, exiting with code 3 in 50 ms\n')
    assert.is(first.stderr, 'crasher: crashing now (code 3)\n')
    const second = await runCommand(name, { env: { CRASH_AFTER_MS: '10', CRASH_CODE: '42' } })
    assert.is(second.code, 42, name)
  }
})

test('spinner keeps running until it is killed', async () => {
  for (const name of variants('spinner')) {
    const outcome = await runCommand(name, {}, { timeoutMs: 3_000 })
    assert.is(outcome.code, null, `${name}: killed by the harness, not ended by itself`)
    assert.match(outcome.stdout, 'spinner: spinning forever')
  }
})

test('memhog grows until the memory cap stops it', async () => {
  for (const name of variants('memhog')) {
    const outcome = await runCommand(
      name,
      { env: { MEMHOG_REPORT_MIB: '8' } },
      { nodeFlags: ['--wasm-max-mem-pages=1024'] },
    )
    assert.match(outcome.stdout, 'memhog: 32 MiB')
    assert.match(outcome.stderr, /memhog: out of memory after (5\d|6\d) MiB/)
    assert.ok(outcome.code !== 0 && outcome.code !== null, `${name}: exit code ${outcome.code}`)
  }
})

test('hello-http serves many requests from one instance with env, pod name and path', async () => {
  const child = startChild(await transpileImage('hello-http'), 'serve', {
    env: { POD_NAME: 'web-1', GREETING: 'hi' },
  })
  try {
    const [, address] = await waitForOutput(child, /listening (.*)\n/)
    const { port } = JSON.parse(address)
    for (const path of ['/', '/hello?x=1', '/third']) {
      const response = await fetch(`http://127.0.0.1:${port}${path}`)
      assert.is(response.status, 200)
      assert.is(response.headers.get('content-type'), 'application/json')
      const body = (await response.json()) as {
        pod: string
        path: string
        method: string
        env: Record<string, string>
      }
      assert.equal(
        [body.pod, body.path, body.method, body.env.GREETING],
        ['web-1', path, 'GET', 'hi'],
      )
    }
  } finally {
    child.kill('SIGKILL')
  }
})

test.after(() => rmSync(work, { recursive: true, force: true }))

test.run()
