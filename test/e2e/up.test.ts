// `shoal up` as a user runs it, a real process on a data dir of its own (free ports): it prints
// the sample app's URL, which answers through node-1's mesh; the Deployment is 2/2; SIGINT ends
// it with exit 0 and no agent left behind. A second `shoal up` on the same dir comes back with
// the same Deployment (same uid: found, not created again) answering at the same URL.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { haveKubectl } from './fleet.ts'
import { freePort } from './plane-process.ts'

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'shoal-up-'))
const dataDir = join(dir, 'data')
const kubeconfig = join(dataDir, 'admin.kubeconfig')
let ports: string[] = []
let nodePort = 0
let running: ChildProcess | undefined

test.before(async () => {
  ports = [
    ...['--listen', `127.0.0.1:${await freePort()}`],
    ...['--mqtt-listen', `127.0.0.1:${await freePort()}`],
    ...['--mesh-local-port', '0', '--mesh-public', '127.0.0.1:0'],
  ]
  // the sample's node port: one free port, not the first of 30000-32767 other fleets take too
  nodePort = await freePort()
  ports.push('--service-node-port-range', `${nodePort}-${nodePort}`)
})

test.after(() => {
  running?.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

interface Up {
  child: ChildProcess
  url: string
  agentPid: number
  output(): string
}

/** `shoal up` until its "ready" line */
function up(): Promise<Up> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', main, 'up', '--data-dir', dataDir, ...ports],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  running = child
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`shoal up not ready in 80 s:\n${out}`)), 80_000)
    child.once('exit', (code) => reject(new Error(`shoal up exited ${code}:\n${out}`)))
    child.stdout!.on('data', () => {
      const url = /shoal up: ready: 1 node\(s\), the sample app answering at (\S+)/.exec(out)?.[1]
      if (!url) return
      clearTimeout(timer)
      const agentPid = Number(/agent node-1 running, pid (\d+)/.exec(out)![1])
      resolve({ child, url, agentPid, output: () => out })
    })
  })
}

function shoal(...args: string[]): string {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', main, ...args, '--kubeconfig', kubeconfig],
    {
      encoding: 'utf8',
    },
  )
  assert.is(r.status, 0, `shoal ${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

async function interrupt(u: Up): Promise<number | null> {
  const code = new Promise<number | null>((r) => u.child.once('exit', (c) => r(c)))
  u.child.kill('SIGINT')
  return code
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function answer(url: string): Promise<{ body: string; node: string | null }> {
  const res = await fetch(url)
  return { body: await res.text(), node: res.headers.get('x-shoal-node') }
}

test('shoal up: the sample answers through the mesh, 2/2; Ctrl-C ends it all; again: the same state', async () => {
  const first = await up()
  assert.match(first.output(), 'shoal up: deployment/hello created')
  assert.is(first.url, `http://127.0.0.1:${nodePort}/`)
  assert.equal(await answer(first.url), { body: 'hello from wat: ', node: 'node-1' })
  assert.match(shoal('get', 'deploy', 'hello'), /^hello\s+2\/2\s+2\s+2\s/m)
  if (haveKubectl) {
    const k = spawnSync('kubectl', ['--kubeconfig', kubeconfig, 'get', 'deploy', 'hello'], {
      encoding: 'utf8',
    })
    assert.match(k.stdout, /^hello\s+2\/2\s+2\s+2\s/m)
  }
  const uid = shoal('get', 'deploy', 'hello', '-o', 'jsonpath={.metadata.uid}')
  assert.match(uid, /^[0-9a-f-]{36}$/)

  assert.is(await interrupt(first), 0, first.output())
  assert.match(first.output(), /shoal up: stopped\n$/)
  assert.not.ok(alive(first.agentPid), 'the agent exited with shoal up')

  const second = await up()
  assert.match(second.output(), 'shoal up: deployment/hello found (kept as it is)')
  assert.not.match(second.output(), 'joined')
  assert.is(second.url, first.url)
  assert.equal(await answer(second.url), { body: 'hello from wat: ', node: 'node-1' })
  assert.is(shoal('get', 'deploy', 'hello', '-o', 'jsonpath={.metadata.uid}'), uid)
  assert.match(shoal('get', 'deploy', 'hello'), /^hello\s+2\/2\s+2\s+2\s/m)
  assert.is(await interrupt(second), 0, second.output())
  assert.not.ok(alive(second.agentPid), 'the agent exited with shoal up')
})

test('shoal up refuses a bad flag value, naming the flag, and starts nothing', () => {
  const cases: [string[], string][] = [
    [['--agents', '0'], 'shoal: up: --agents must be a number from 1 to 16, not "0"'],
    [['--listen', 'nowhere'], 'shoal: up: --listen must be HOST:PORT, not "nowhere"'],
    [
      ['--mesh-local-port', '70000'],
      'shoal: up: --mesh-local-port "70000" is not a port (0–65535)',
    ],
  ]
  for (const [args, want] of cases) {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', main, 'up', '--data-dir', join(dir, 'bad'), ...args],
      {
        encoding: 'utf8',
      },
    )
    assert.is(r.status, 1, r.stdout)
    assert.is(r.stderr.trim(), want)
    assert.is(r.stdout, '')
  }
})

test.run()
