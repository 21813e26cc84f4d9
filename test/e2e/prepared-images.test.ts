// A node that cannot transpile: the agent runs from the bundle on a "board" whose node_modules
// lacks jco and its optimizer (@bytecodealliance/jco-transpile, @bytecodealliance/jco,
// binaryen), beside a real plane from the sources. The plane prepares hello-http when it is
// pushed; the agent pulls the prepared image by digest and the pod runs Running and serves —
// so nothing in the agent's process tree loaded (or could load) the transpiler — and the agent's
// data dir holds the prepared image and its unpacked copy, no transpile output.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, meshTestArgs, startPlane, type PlaneProcess } from './plane-process.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const images = join(root, 'firmware-images', '.build')
const dir = mkdtempSync(join(tmpdir(), 'shoal-prepared-e2e-'))
const board = join(dir, 'pi')
const transpiler = ['@bytecodealliance/jco-transpile', '@bytecodealliance/jco', 'binaryen']
let plane: PlaneProcess | undefined
let agent: ChildProcess | undefined
let agentOut = ''

test.after(async () => {
  agent?.kill('SIGKILL')
  await plane?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const shoal = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/main.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
  })

/** node_modules with a link to every package of the repository's but the transpiler's */
function boardModules(to: string): void {
  const from = join(root, 'node_modules')
  mkdirSync(to, { recursive: true })
  for (const name of readdirSync(from)) {
    if (name.startsWith('.') || transpiler.includes(name)) continue
    if (!name.startsWith('@')) {
      symlinkSync(join(from, name), join(to, name), 'dir')
      continue
    }
    mkdirSync(join(to, name))
    for (const pkg of readdirSync(join(from, name)))
      if (!transpiler.includes(`${name}/${pkg}`))
        symlinkSync(join(from, name, pkg), join(to, name, pkg), 'dir')
  }
}

test('the bundle on a board without the transpiler (the transpiler cannot be found there)', () => {
  // built in a directory of its own: the repository's dist/ is other tests' to build
  const build = join(dir, 'build')
  mkdirSync(build)
  for (const f of ['esbuild.config.mjs', 'package.json'])
    copyFileSync(join(root, f), join(build, f))
  symlinkSync(join(root, 'src'), join(build, 'src'), 'dir')
  symlinkSync(join(root, 'node_modules'), join(build, 'node_modules'), 'dir')
  const built = spawnSync(process.execPath, ['esbuild.config.mjs'], {
    cwd: build,
    encoding: 'utf8',
  })
  assert.is(built.status, 0, built.stderr)
  cpSync(join(build, 'dist'), join(board, 'dist'), { recursive: true })
  boardModules(join(board, 'node_modules'))
  const probe = (name: string) =>
    spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `import.meta.resolve(${JSON.stringify(name)})`],
      { cwd: join(board, 'dist'), encoding: 'utf8' },
    ).status
  assert.is(probe('@bytecodealliance/preview2-shim'), 0)
  for (const name of transpiler) assert.is.not(probe(name), 0, `${name} is on the board`)
})

function https(url: string, ca: string, token: string, method: string, body?: Uint8Array | string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(url, {
      method,
      ca,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    })
    req.on('response', (res) => {
      let text = ''
      res.on('data', (d) => (text += d))
      res.on('end', () => resolve({ status: res.statusCode!, text }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined) {
  const end = Date.now() + 90_000
  for (;;) {
    const v = await Promise.resolve()
      .then(fn)
      .catch(() => undefined)
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\nagent:\n${agentOut}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

test('a pod runs on that board from the image the plane prepared at push', async () => {
  const planeDir = join(dir, 'plane')
  plane = await startPlane(planeDir, { mqttPort: await freePort() })
  const ca = readFileSync(join(planeDir, 'pki', 'ca.crt'), 'utf8')
  const admin = shoal('token', 'issue', '--data-dir', planeDir, '--role', 'admin', '--user', 'e')
  const token = admin.stdout.trim().split('\n').at(-1)!.trim()
  const api = (method: string, path: string, body?: Uint8Array | string) =>
    https(`${plane!.url}${path}`, ca, token, method, body)
  const { digest } = JSON.parse(readFileSync(join(images, 'hello-http.json'), 'utf8'))
  const pushed = await api(
    'PUT',
    `/images/blobs/${digest}`,
    readFileSync(join(images, 'hello-http.wasm')),
  )
  assert.ok(pushed.status < 300, pushed.text)
  const prepared = JSON.parse(pushed.text).prepared as string
  assert.match(prepared, /^sha256:[a-f0-9]{64}$/)
  const tag = await api('PUT', '/images/tags/hello-http/1', JSON.stringify({ digest }))
  assert.ok(tag.status < 300, tag.text)

  const joined = shoal('token', 'issue', '--data-dir', planeDir, '--role', 'join')
  const line = joined.stdout.split('\n').find((l) => l.includes('shoal agent --join'))
  assert.ok(line, joined.stdout)
  const joinArgs = line!.slice(line!.indexOf('--join')).trim().split(/\s+/)
  const at = joinArgs.indexOf('--data-dir') // the printed line's placeholder: ours is given
  if (at >= 0) joinArgs.splice(at, 2)
  const agentDir = join(dir, 'agent')
  const bundle = join(board, 'dist', 'shoal.mjs')
  agent = spawn(
    process.execPath,
    [
      bundle,
      'agent',
      '--data-dir',
      agentDir,
      ...joinArgs,
      '--name',
      'pi-prepared',
      ...meshTestArgs(),
    ],
    { cwd: board, stdio: 'pipe' },
  )
  agent.stdout!.on('data', (d) => (agentOut += d))
  agent.stderr!.on('data', (d) => (agentOut += d))
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web' },
    spec: {
      nodeName: 'pi-prepared',
      containers: [{ name: 'main', image: 'hello-http:1', ports: [{ containerPort: 8080 }] }],
    },
  }
  const created = await api('POST', '/api/v1/namespaces/default/pods', JSON.stringify(pod))
  assert.is(created.status, 201, created.text)
  await waitFor('web Running', async () => {
    const p = JSON.parse((await api('GET', '/api/v1/namespaces/default/pods/web')).text)
    return p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready ? p : undefined
  })
  const url = await waitFor('the instance url', () => {
    const started = agentOut.split('\n').filter((l) => l.includes('started a container'))
    return /"url":"([^"]+)"/.exec(started.at(-1) ?? '')?.[1]
  })
  const res = await fetch(`${url}/hi`, { signal: AbortSignal.timeout(5000) })
  assert.is(res.status, 200)
  assert.is(((await res.json()) as { path?: string }).path, '/hi')

  assert.equal(readdirSync(join(agentDir, 'images', 'prepared')), [prepared.slice(7)])
  const unpacked = readdirSync(join(agentDir, 'runtime'))
  assert.equal(unpacked, [`${digest.slice(7)}-prepared-${prepared.slice(7, 23)}`])
  assert.not.match(agentOut, /jco|transpil/i)
})

test.run()
