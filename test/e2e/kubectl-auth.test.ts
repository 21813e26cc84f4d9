// `kubectl auth can-i` and `kubectl auth whoami` against the real plane process over HTTPS: the
// admin kubeconfig, then viewer and node tokens issued by `shoal token issue` while it runs.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { kubectlSuite } from './kubectl-harness.ts'

const suite = kubectlSuite('kubectl-auth')
const main = new URL('../../src/main.ts', import.meta.url).pathname
const kubectl = (args: string[]) => suite!.kubectl(args, { ok: false })

function issue(...args: string[]): string {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', main, 'token', 'issue', '--data-dir', suite!.dataDir, ...args],
    { encoding: 'utf8' },
  )
  assert.is(r.status, 0, r.stderr)
  return r.stdout.trim()
}

/** `kubectl auth can-i`: its answer line and exit code (0 yes, 1 no) */
function canI(token: string | undefined, ...args: string[]) {
  const r = kubectl([...(token ? [`--token=${token}`] : []), 'auth', 'can-i', ...args])
  return { answer: r.stdout.trim(), status: r.status, out: r.out }
}

if (suite) {
  test('admin: can-i anything, whoami names the admin user', () => {
    const r = canI(undefined, 'create', 'pods')
    assert.equal([r.answer, r.status], ['yes', 0], r.out)
    assert.is(canI(undefined, 'delete', 'secrets', '-A').answer, 'yes')
    const who = kubectl(['auth', 'whoami'])
    assert.is(who.status, 0, who.out)
    assert.match(who.stdout, /Username\s+shoal-admin/)
    assert.match(who.stdout, /Groups\s+\[system:masters system:authenticated\]/)
  })

  test('viewer token: create no (exit 1), get yes, secrets no; whoami; --list', () => {
    const token = issue('--role', 'viewer', '--user', 'v')
    const create = canI(token, 'create', 'pods')
    assert.equal([create.status, create.answer.split(' ')[0]], [1, 'no'], create.out)
    assert.match(create.answer, /User "v" cannot create resource "pods"/)
    assert.equal([canI(token, 'get', 'pods').answer, canI(token, 'get', 'pods').status], ['yes', 0])
    assert.is(canI(token, 'get', 'secrets').status, 1)
    assert.is(canI(token, 'get', '/metrics').answer, 'yes')
    const who = kubectl([`--token=${token}`, 'auth', 'whoami'])
    assert.match(who.stdout, /Username\s+v\b/)
    assert.match(who.stdout, /Groups\s+\[shoal:viewers system:authenticated\]/)
    const list = kubectl([`--token=${token}`, 'auth', 'can-i', '--list'])
    assert.is(list.status, 0, list.out)
    assert.match(list.stdout, /^deployments\.apps\s+\[\]\s+\[\]\s+\[get list watch\]$/m)
    assert.not.match(list.stdout, /^secrets/m)
  })

  test('node token: its own Node and its pods, not the others', () => {
    const token = issue('--role', 'node', '--node', 'pi-1')
    assert.is(canI(token, 'update', 'nodes/pi-1', '--subresource=status').answer, 'yes')
    assert.is(canI(token, 'update', 'nodes/pi-2', '--subresource=status').status, 1)
    assert.is(canI(token, 'list', 'secrets').status, 1)
    assert.is(canI(token, 'create', 'deployments').status, 1)
    assert.match(
      kubectl([`--token=${token}`, 'auth', 'whoami']).stdout,
      /Username\s+system:node:pi-1/,
    )
  })
}

test.run()
