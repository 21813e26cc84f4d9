// The one composition root of the bundle: `shoal <command>`. Each command wires the
// components it needs; nothing imports this file.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { createPlane, createTokenStore, type Role } from './plane/index.ts'

const usage = `shoal — a Kubernetes-shaped orchestrator for WebAssembly components on edge fleets

Usage: shoal <command> [flags]

Commands:
  plane        run the control plane (store + API server)
                 --data-dir DIR        where the store, keys and certificates live (default ./shoal-data)
                 --listen HOST:PORT    API address (default 127.0.0.1:6443)
                 --insecure-http       plain HTTP, no authentication (loopback tests only)
  token        bearer tokens of a plane (works while it runs; tokens apply at once)
                 token issue --data-dir DIR --role admin|viewer|node [--user NAME] [--node NAME]
                 token list --data-dir DIR
                 token revoke --data-dir DIR --user NAME
  start        run a single-node fleet on this machine (today: the plane; agents land later)
  version      print the Shoal version
  help         show this help

Flags:
  -h, --help   show this help
`

declare const __SHOAL_VERSION__: string | undefined

function version(): string {
  if (typeof __SHOAL_VERSION__ === 'string') return __SHOAL_VERSION__ // set by the bundle
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    return pkg.version
  } catch {
    return 'unknown'
  }
}

async function runPlane(args: string[], hints = false): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { 'data-dir': { type: 'string', default: './shoal-data' }, listen: { type: 'string', default: '127.0.0.1:6443' }, 'insecure-http': { type: 'boolean', default: false } },
    strict: true,
  })
  const plane = await createPlane({ dataDir: values['data-dir']!, listen: values.listen, insecureHttp: values['insecure-http'], version: version() })
  process.stdout.write(`shoal plane: serving ${plane.url}\n`)
  if (hints && plane.adminKubeconfig) {
    process.stdout.write(`\nTry:  kubectl --kubeconfig ${plane.adminKubeconfig} get namespaces\nStop: Ctrl-C\n`)
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await plane.close()
  return 0
}

function runToken(args: string[]): number {
  const [sub, ...rest] = args
  const { values } = parseArgs({
    args: rest,
    options: { 'data-dir': { type: 'string', default: './shoal-data' }, role: { type: 'string' }, user: { type: 'string' }, node: { type: 'string' } },
    strict: true,
  })
  const tokens = createTokenStore(values['data-dir']!)
  if (sub === 'issue') {
    const role = values.role as Role | undefined
    if (!role || !['admin', 'viewer', 'node'].includes(role)) throw new Error('token issue: --role must be admin, viewer or node')
    if (role === 'node' && !values.node) throw new Error('token issue: a node token needs --node NAME')
    if (role !== 'node' && !values.user) throw new Error(`token issue: a ${role} token needs --user NAME`)
    process.stdout.write(tokens.issue({ role, user: values.user, node: values.node }) + '\n')
    return 0
  }
  if (sub === 'list') {
    for (const t of tokens.list()) process.stdout.write(`${t.user}\t${t.role}${t.node ? `\t${t.node}` : ''}\t${t.created}\n`)
    return 0
  }
  if (sub === 'revoke') {
    if (!values.user) throw new Error('token revoke: --user NAME is required')
    process.stdout.write(`revoked ${tokens.revoke(values.user)} token(s) of ${values.user}\n`)
    return 0
  }
  throw new Error(`token: unknown subcommand "${sub ?? ''}" (issue, list, revoke)`)
}

export async function main(argv: string[]): Promise<number> {
  const [cmd] = argv
  if (!cmd || cmd === 'help' || cmd === '-h' || cmd === '--help') {
    process.stdout.write(usage)
    return 0
  }
  if (cmd === 'version' || cmd === '--version') {
    process.stdout.write(`shoal ${version()}\n`)
    return 0
  }
  if (cmd === 'plane') return runPlane(argv.slice(1))
  if (cmd === 'token') return runToken(argv.slice(1))
  if (cmd === 'start') {
    process.stdout.write(
      'shoal start: starting the plane (store + API server). The node agent, scheduler and controllers\n' +
        'land in their own issues: objects can be created and watched, but no pod runs yet.\n',
    )
    return runPlane(argv.slice(1), true)
  }
  process.stderr.write(`shoal: unknown command "${cmd}"\nRun 'shoal --help' for usage.\n`)
  return 1
}

try {
  process.exitCode = await main(process.argv.slice(2))
} catch (err) {
  process.stderr.write(`shoal: ${(err as Error).message}\n`)
  process.exitCode = 1
}
