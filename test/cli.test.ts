// The shoal command line as a user runs it (a real process): every command and subcommand
// answers --help and -h with its own usage and exit 0; node tokens are named by their node.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const main = join(root, 'src/main.ts')

function shoal(
  ...args: string[]
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], { cwd: root })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (status) => resolve({ status, stdout, stderr }))
  })
}

test('every command and subcommand answers --help and -h with its usage, exit 0', async () => {
  const cases: [string[], string][] = [
    [['--help'], 'Usage: shoal <command>'],
    [['help', 'token', 'issue'], 'Usage: shoal token issue'],
    [['version', '--help'], 'Usage: shoal version'],
    [['plane', '-h'], 'Usage: shoal plane'],
    [['token', '-h'], 'Usage: shoal token'],
    [['token', 'issue', '-h'], 'Usage: shoal token issue'],
  ]
  for (const cmd of [
    'plane',
    'up',
    'start',
    'agent',
    'token',
    'token issue',
    'token list',
    'token revoke',
    'migrate',
  ])
    cases.push([[...cmd.split(' '), '--help'], `Usage: shoal ${cmd}`])
  for (const [args, want] of cases) {
    const r = await shoal(...args)
    assert.is(r.status, 0, `shoal ${args.join(' ')}: ${r.stderr}`)
    assert.ok(r.stdout.includes(want), `shoal ${args.join(' ')} printed: ${r.stdout.slice(0, 80)}`)
  }
})

test('migrate without --from or --to says so', async () => {
  const r = await shoal('migrate', '--to', 'etcd://127.0.0.1:2379')
  assert.is(r.status, 1)
  assert.match(r.stderr, 'migrate: --from STORE and --to STORE are both needed')
})

test('agent disk thresholds: a bad --min-disk-free or --image-budget is refused, naming the flag', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-cli-'))
  try {
    const free = await shoal('agent', '--data-dir', dir, '--min-disk-free', '5')
    assert.is(free.status, 1)
    assert.match(free.stderr, 'agent: --min-disk-free must be a percentage like 10%, not "5"')
    const budget = await shoal('agent', '--data-dir', dir, '--image-budget', 'lots')
    assert.is(budget.status, 1)
    assert.match(
      budget.stderr,
      'agent: --image-budget must be a size like 2Gi or 500Mi, not "lots"',
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('agent mesh listeners: a bad --mesh-public, --mesh-ingress-tls, --metrics or --mesh-local-port is refused, naming the flag', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-cli-'))
  try {
    for (const [flag, value, message] of [
      [
        '--mesh-public',
        'nonsense',
        'agent: --mesh-public must be HOST:PORT (or off), not "nonsense"',
      ],
      ['--metrics', '127.0.0.1:99999', 'agent: --metrics "99999" is not a port (0–65535)'],
      [
        '--mesh-ingress-tls',
        '443',
        'agent: --mesh-ingress-tls must be HOST:PORT (or off), not "443"',
      ],
      ['--mesh-local-port', 'x', 'agent: --mesh-local-port "x" is not a port (0–65535)'],
    ]) {
      const r = await shoal('agent', '--data-dir', dir, flag!, value!)
      assert.is(r.status, 1)
      assert.match(r.stderr, message!)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a node token is named by --node (or --user system:node:NAME); any other --user is refused, saying so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-cli-'))
  try {
    const wrong = await shoal(
      'token',
      'issue',
      '--data-dir',
      dir,
      '--role',
      'node',
      '--user',
      'pi-3',
    )
    assert.is(wrong.status, 1)
    assert.match(
      wrong.stderr,
      "a node token's user is always system:node:<node>; name the node with --node NAME instead of --user pi-3",
    )
    const mismatch = await shoal(
      'token',
      'issue',
      '--data-dir',
      dir,
      '--role',
      'node',
      '--node',
      'pi-3',
      '--user',
      'system:node:pi-4',
    )
    assert.is(mismatch.status, 1)
    assert.match(mismatch.stderr, '--user system:node:pi-4 names another node than --node pi-3')
    const stray = await shoal(
      'token',
      'issue',
      '--data-dir',
      dir,
      '--role',
      'viewer',
      '--user',
      'v',
      '--node',
      'pi-3',
    )
    assert.is(stray.status, 1)
    assert.match(stray.stderr, '--node is for node tokens (--role node)')
    const byUser = await shoal(
      'token',
      'issue',
      '--data-dir',
      dir,
      '--role',
      'node',
      '--user',
      'system:node:pi-3',
    )
    assert.is(byUser.status, 0, byUser.stderr)
    assert.match(byUser.stdout, /^shoal_\S+\n$/)
    const byNode = await shoal(
      'token',
      'issue',
      '--data-dir',
      dir,
      '--role',
      'node',
      '--node',
      'pi-3',
    )
    assert.is(byNode.status, 0, byNode.stderr)
    const list = await shoal('token', 'list', '--data-dir', dir)
    assert.equal(
      list.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('\t').slice(0, 3).join(' ')),
      ['system:node:pi-3 node pi-3', 'system:node:pi-3 node pi-3'],
    )
    const revoked = await shoal('token', 'revoke', '--data-dir', dir, '--node', 'pi-3')
    assert.is(revoked.stdout, 'revoked 2 token(s) of system:node:pi-3\n')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a join token needs a plane that made its CA; with --server it prints the join command', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-cli-'))
  try {
    const early = await shoal('token', 'issue', '--role', 'join', '--data-dir', dir)
    assert.is(early.status, 1)
    assert.match(early.stderr, 'has no plane CA (pki/ca.crt); start the plane once')
    assert.not.ok(existsSync(join(dir, 'tokens.json')), 'no token issued')
    const stray = await shoal(
      'token',
      'issue',
      '--role',
      'viewer',
      '--user',
      'v',
      '--server',
      'https://x',
      '--data-dir',
      dir,
    )
    assert.is(stray.status, 1)
    assert.match(stray.stderr, '--server is for join tokens')
  } finally {
    rmSync(dir, { recursive: true })
  }
})

test.run()
