// The one composition root of the bundle: `shoal <command>`. Each command wires the
// components it needs; nothing imports this file.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { BadRequestError } from './core/index.ts'
import { createPlane, createTokenStore, type Role } from './plane/index.ts'

const usage = `shoal — a Kubernetes-shaped orchestrator for WebAssembly components on edge fleets

Usage: shoal <command> [flags]

Commands:
  plane        run the control plane (store + API server)
                 --data-dir DIR        where the store, keys and certificates live (default ./shoal-data)
                 --listen HOST:PORT    API address (default 127.0.0.1:6443)
                 --insecure-http       plain HTTP, no authentication (loopback tests only)
  token        bearer tokens of a plane (works while it runs; see 'shoal token --help')
                 token issue --data-dir DIR --role admin|viewer --user NAME
                 token issue --data-dir DIR --role node --node NAME
                 token list --data-dir DIR
                 token revoke --data-dir DIR --user NAME | --node NAME
  start        run a single-node fleet on this machine (today: the plane; agents land later)
  version      print the Shoal version
  help         show this help ('shoal help <command>': that command's)

Flags:
  -h, --help   show this help; after a command or subcommand, its own
`

const dataDir = `  --data-dir DIR        the plane's data dir (default ./shoal-data)\n`
const planeFlags = `${dataDir}  --listen HOST:PORT    API address (default 127.0.0.1:6443)
  --insecure-http       plain HTTP, no authentication (loopback tests only)
  -h, --help            show this help
`
const tokenNote = `Tokens are kept hashed in DIR/tokens.json. A running plane accepts an issued token at once;
a revoked one may still be accepted for up to a second.
`

/** each command's and subcommand's own --help */
const usages: Record<string, string> = {
  plane: `Usage: shoal plane [flags]\n\nRun the control plane (store + API server).\n\nFlags:\n${planeFlags}`,
  start: `Usage: shoal start [flags]\n\nRun a single-node fleet on this machine (today: the plane).\n\nFlags:\n${planeFlags}`,
  version: 'Usage: shoal version\n\nPrint the Shoal version.\n',
  help: 'Usage: shoal help [command]\n\nShow the usage of shoal, or of one command.\n',
  token: `Usage: shoal token <issue|list|revoke> [flags]

Bearer tokens of a plane.

Subcommands:
  issue    print a new token: --role admin|viewer --user NAME, or --role node --node NAME
  list     list tokens (user, role, node, created); never the tokens themselves
  revoke   remove every token of a user (--user NAME) or of a node (--node NAME)

Run 'shoal token <subcommand> --help' for its flags.

${tokenNote}`,
  'token issue': `Usage: shoal token issue --role admin|viewer --user NAME [--data-dir DIR]
       shoal token issue --role node --node NAME [--data-dir DIR]

Print a new bearer token (shown once). A node token acts as user system:node:NAME in group
system:nodes and may touch only what is bound to that node; --user system:node:NAME is taken as
--node NAME, any other --user is refused for a node token.

Flags:
  --role ROLE           admin, viewer or node
  --user NAME           the user (admin, viewer); may not start with "system:"
  --node NAME           the node (node tokens)
${dataDir}  -h, --help            show this help
`,
  'token list': `Usage: shoal token list [--data-dir DIR]\n\nList the tokens of a plane: user, role, node, creation time.\n\nFlags:\n${dataDir}  -h, --help            show this help\n`,
  'token revoke': `Usage: shoal token revoke --user NAME | --node NAME [--data-dir DIR]

Remove every token of a user, or of a node (its user system:node:NAME).
${tokenNote}
Flags:
  --user NAME           the user whose tokens go
  --node NAME           the node whose tokens go
${dataDir}  -h, --help            show this help
`,
}

const isHelp = (arg: string | undefined) => arg === '-h' || arg === '--help'

declare const __SHOAL_VERSION__: string | undefined

function version(): string {
  if (typeof __SHOAL_VERSION__ === 'string') return __SHOAL_VERSION__ // set by the bundle
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string
    }
    return pkg.version
  } catch {
    return 'unknown'
  }
}

async function runPlane(args: string[], hints = false): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'data-dir': { type: 'string', default: './shoal-data' },
      listen: { type: 'string', default: '127.0.0.1:6443' },
      'insecure-http': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (values.help) return help(hints ? 'start' : 'plane')
  const plane = await createPlane({
    dataDir: values['data-dir']!,
    listen: values.listen,
    insecureHttp: values['insecure-http'],
    version: version(),
  })
  process.stdout.write(`shoal plane: serving ${plane.url}\n`)
  if (hints && plane.adminKubeconfig) {
    process.stdout.write(
      `\nTry:  kubectl --kubeconfig ${plane.adminKubeconfig} get namespaces\nStop: Ctrl-C\n`,
    )
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
  if (isHelp(sub)) return help('token')
  if (sub !== 'issue' && sub !== 'list' && sub !== 'revoke') {
    throw new BadRequestError(
      `token: ${sub ? `unknown subcommand "${sub}"` : 'a subcommand is needed'} (issue, list, revoke); see 'shoal token --help'`,
    )
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      'data-dir': { type: 'string', default: './shoal-data' },
      role: { type: 'string' },
      user: { type: 'string' },
      node: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (values.help) return help(`token ${sub}`)
  const tokens = createTokenStore(values['data-dir']!)
  if (sub === 'issue') {
    process.stdout.write(tokens.issue(issueRequest(values)) + '\n')
    return 0
  }
  if (sub === 'list') {
    for (const t of tokens.list())
      process.stdout.write(`${t.user}\t${t.role}${t.node ? `\t${t.node}` : ''}\t${t.created}\n`)
    return 0
  }
  if (values.user && values.node)
    throw new BadRequestError('token revoke: give --user NAME or --node NAME, not both')
  const user = values.node ? `system:node:${values.node}` : values.user
  if (!user) throw new BadRequestError('token revoke: --user NAME or --node NAME is required')
  process.stdout.write(`revoked ${tokens.revoke(user)} token(s) of ${user}\n`)
  return 0
}

/** a node token names its node (--node); its user is always system:node:<node>, as in Kubernetes */
function issueRequest(values: { role?: string; user?: string; node?: string }): {
  role: Role
  user?: string
  node?: string
} {
  const role = values.role as Role | undefined
  if (!role || !['admin', 'viewer', 'node'].includes(role))
    throw new BadRequestError('token issue: --role must be admin, viewer or node')
  if (role !== 'node') {
    if (values.node)
      throw new BadRequestError(
        `token issue: --node is for node tokens (--role node); a ${role} token needs --user NAME`,
      )
    if (!values.user) throw new BadRequestError(`token issue: a ${role} token needs --user NAME`)
    return { role, user: values.user }
  }
  const named = /^system:node:(.+)$/.exec(values.user ?? '')?.[1]
  if (values.user !== undefined && !named) {
    throw new BadRequestError(
      `token issue: a node token's user is always system:node:<node>; name the node with --node NAME instead of --user ${values.user}`,
    )
  }
  if (named && values.node && named !== values.node)
    throw new BadRequestError(
      `token issue: --user ${values.user} names another node than --node ${values.node}`,
    )
  const node = values.node ?? named
  if (!node) throw new BadRequestError('token issue: a node token needs --node NAME')
  return { role, node }
}

function help(command: string): number {
  process.stdout.write(usages[command] ?? usage)
  return 0
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv
  if (!cmd || isHelp(cmd)) return help('')
  if (cmd === 'help') {
    if (rest[0] && !usages[rest.join(' ')])
      throw new BadRequestError(`help: unknown command "${rest.join(' ')}"`)
    return help(rest.join(' '))
  }
  if (cmd === 'version' || cmd === '--version') {
    if (isHelp(rest[0])) return help('version')
    process.stdout.write(`shoal ${version()}\n`)
    return 0
  }
  if (cmd === 'plane') return runPlane(argv.slice(1))
  if (cmd === 'token') return runToken(argv.slice(1))
  if (cmd === 'start') {
    if (rest.some(isHelp)) return help('start')
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
