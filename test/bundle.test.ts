// The bundle: esbuild builds dist/shoal.mjs and the runtime's thread files beside it; a copy of
// dist/ with only node_modules next to it (no src/, no tsx) runs the plane and an agent whose pod
// starts in the runtime's worker threads and serves.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import {
  cpSync,
  existsSync,
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
import { threadEntries } from '../src/wasm-runtime/thread-spawn.ts'
import { freePort, meshTestArgs, startPlane, type PlaneProcess } from './e2e/plane-process.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const images = join(root, 'firmware-images', '.build')
const dir = mkdtempSync(join(tmpdir(), 'shoal-bundle-'))
const bundle = join(dir, 'opt', 'dist', 'shoal.mjs')
let plane: PlaneProcess | undefined
let agent: ChildProcess | undefined
let agentOut = ''

const shoal = (...args: string[]) =>
  spawnSync(process.execPath, [bundle, ...args], { cwd: dir, encoding: 'utf8' })

test.after(async () => {
  agent?.kill('SIGKILL')
  await plane?.stop()
  rmSync(dir, { recursive: true, force: true })
})

test('npm run build writes dist/shoal.mjs, which answers --help and version', () => {
  const build = spawnSync(process.execPath, ['esbuild.config.mjs'], { cwd: root, encoding: 'utf8' })
  assert.is(build.status, 0, build.stderr)
  // what a board gets: dist/ and node_modules, nothing else of the repository
  cpSync(join(root, 'dist'), join(dir, 'opt', 'dist'), { recursive: true })
  symlinkSync(join(root, 'node_modules'), join(dir, 'opt', 'node_modules'), 'dir')
  const help = shoal('--help')
  assert.is(help.status, 0, help.stderr)
  assert.match(help.stdout, /Usage: shoal <command>/)
  assert.match(help.stdout, /plane/)
  assert.match(shoal('version').stdout, /^shoal \d+\.\d+\.\d+/)
  const bad = shoal('frobnicate')
  assert.is(bad.status, 1)
  assert.match(bad.stderr, /unknown command "frobnicate"/)
  const agentHelp = shoal('agent', '--help')
  assert.is(agentHelp.status, 0, agentHelp.stderr)
  assert.match(agentHelp.stdout, /--join/)
})

test('every module the runtime runs in a thread, and only those, is emitted beside the bundle', () => {
  for (const source of Object.values(threadEntries))
    assert.ok(existsSync(new URL(source, new URL('../src/wasm-runtime/', import.meta.url))), source)
  const emitted = readdirSync(join(root, 'dist')).filter(
    (f) => /^shoal-.*\.mjs$/.test(f) && !f.startsWith('shoal-chunk-'),
  )
  const wanted = Object.keys(threadEntries).map((name) => `shoal-${name}.mjs`)
  assert.equal(emitted.sort(), wanted.sort())
})

test("`shoal agent` loads none of the plane's code: the agent's chunk and what it imports", () => {
  const read = (f: string) => readFileSync(join(root, 'dist', f), 'utf8')
  const chunk = (name: string) =>
    new RegExp(`import\\("\\./(shoal-chunk-${name}-[A-Z0-9]+\\.mjs)"\\)`).exec(
      read('shoal.mjs'),
    )?.[1]
  const agent = chunk('node-agent')
  const plane = chunk('plane')
  assert.ok(agent && plane, 'main imports the agent and the plane when their commands run')
  const loaded = new Set<string>()
  const todo = ['shoal.mjs', agent]
  while (todo.length) {
    const f = todo.pop()!
    if (loaded.has(f)) continue
    loaded.add(f)
    for (const m of read(f).matchAll(/(?:from|import)\s*"\.\/(shoal-chunk-[^"]+\.mjs)"/g))
      todo.push(m[1])
  }
  assert.not.ok(loaded.has(plane), `${plane} is loaded with the agent`)
  // esbuild moves modules that two entries share into chunks of their own, so the plane's code
  // can ride in a shared chunk that main imports statically (it did: up-flags.ts reached the
  // plane through src/embed, 0.8 MB of source and 8 MB of an idle agent's RSS): look for it
  const text = [...loaded].map(read).join('\n')
  for (const [what, mark] of [
    ['the object store', /\bObjectStore=class\b/],
    ['the scheduler', /\bScheduler=class\b/],
    ['Hono', /\bHono=class\b/],
    ['yaml', /"node_modules\/yaml\//],
  ] as const)
    assert.not.ok(mark.test(text), `${what} is loaded with the agent`)
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

test('from the bundle alone: plane, a joined agent, a pod Running in the runtime and serving', async () => {
  const planeDir = join(dir, 'plane')
  plane = await startPlane(planeDir, { mqttPort: await freePort(), shoal: [bundle] })
  const ca = readFileSync(join(planeDir, 'pki', 'ca.crt'), 'utf8')
  const admin = shoal('token', 'issue', '--data-dir', planeDir, '--role', 'admin', '--user', 'b')
  const token = admin.stdout.trim().split('\n').at(-1)!.trim()
  const api = (method: string, path: string, body?: Uint8Array | string) =>
    https(`${plane!.url}${path}`, ca, token, method, body)
  const { digest } = JSON.parse(readFileSync(join(images, 'hello-http.json'), 'utf8'))
  const blob = await api(
    'PUT',
    `/images/blobs/${digest}`,
    readFileSync(join(images, 'hello-http.wasm')),
  )
  assert.ok(blob.status < 300, blob.text)
  const tag = await api('PUT', '/images/tags/hello-http/1', JSON.stringify({ digest }))
  assert.ok(tag.status < 300, tag.text)

  const join_ = shoal('token', 'issue', '--data-dir', planeDir, '--role', 'join')
  const line = join_.stdout.split('\n').find((l) => l.includes('shoal agent --join'))
  assert.ok(line, join_.stdout)
  const joinArgs = line!.slice(line!.indexOf('--join')).trim().split(/\s+/)
  const agentDir = join(dir, 'agent')
  const agentArgs = [
    ...['agent', '--data-dir', agentDir, ...joinArgs, '--name', 'pi-bundle'],
    ...meshTestArgs(),
  ]
  agent = spawn(process.execPath, [bundle, ...agentArgs], { cwd: dir, stdio: 'pipe' })
  agent.stdout!.on('data', (d) => (agentOut += d))
  agent.stderr!.on('data', (d) => (agentOut += d))
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web' },
    spec: {
      nodeName: 'pi-bundle',
      containers: [
        {
          name: 'main',
          image: 'hello-http:1',
          ports: [{ containerPort: 8080 }],
          env: [{ name: 'POD_NAME', value: 'web' }],
        },
      ],
    },
  }
  // the dashboard's files, found beside the bundle (dist/ui), served without a token
  const ui = await https(`${plane!.url}/ui/`, ca, '', 'GET')
  assert.is(ui.status, 200, ui.text)
  assert.match(ui.text, /<script type="module" src="app.js">/)
  assert.is((await https(`${plane!.url}/ui/app.js`, ca, '', 'GET')).status, 200)
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
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) })
  assert.is(res.status, 200)
  assert.is(((await res.json()) as { pod?: string }).pod, 'web')
})

test.run()
