// The one composition root of the bundle: `shoal <command>`. Each command wires the
// components it needs, imported when the command runs: the bundle is split along those imports,
// so `shoal agent` on a Pi never loads (nor keeps in memory) the plane's code, nor the agent's
// the plane. Nothing imports this file.
import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { parseMemory } from './api/index.ts'
import { BadRequestError, createLogger } from './core/index.ts'
import type { Role } from './plane/index.ts'
import { CLI_VERBS, isCliVerb } from './cli/verbs.ts'
import { upUsage } from './up/up-flags.ts'

const planeModule = () => import('./plane/index.ts')
const agentModule = () => import('./node-agent/index.ts')
const cliModule = () => import('./cli/index.ts')
const upModule = () => import('./up/index.ts')

const usage = `shoal — a Kubernetes-shaped orchestrator for WebAssembly components on edge fleets

Usage: shoal <command> [flags]

Commands:
  plane        run the control plane (store + API server)
                 --data-dir DIR        where the store, keys and certificates live (default ./shoal-data)
                 --listen HOST:PORT    API address (default 127.0.0.1:6443)
                 --mqtt-listen HOST:PORT  MQTT (TLS) address for the nodes (default: --listen host, port 8883)
                 --insecure-http       plain HTTP, no authentication, no nodes (loopback tests only)
  token        bearer tokens of a plane (works while it runs; see 'shoal token --help')
                 token issue --data-dir DIR --role admin|viewer --user NAME
                 token issue --data-dir DIR --role node --node NAME
                 token issue --data-dir DIR --role join   (prints the 'shoal agent --join' line)
                 token list --data-dir DIR
                 token revoke --data-dir DIR --user NAME | --node NAME
  migrate      copy a store into another: a plane's CBOR log and etcd, either way (see 'shoal migrate --help')
                 migrate --from DIR|etcd://… --to DIR|etcd://… [--force]
  broker-config  write a Mosquitto config for this plane (see 'shoal broker-config --help')
  agent        run the node agent: join a plane once, then run the pods it assigns (see 'shoal agent --help')
                 agent --join URL --token T --ca-cert-hash sha256:HEX --name NODE --data-dir DIR
                 agent --data-dir DIR   (later starts: the credentials saved by the join)
  up           run a whole fleet on this machine: the plane, N local agents (--agents N), the
                 sample images and app; prints where it answers (see 'shoal up --help')
  start        the same as 'shoal up' (npm start)
  version      print the Shoal version (--server, -o json: the client's and the plane's, as kubectl)
  help         show this help ('shoal help <command>': that command's)

The client of a plane, kubectl's verbs and flags (-n, -A, -l, -o, -w, --context, --kubeconfig;
'shoal <verb> --help' for each):
${CLI_VERBS.map(([v, what]) => `  ${v.padEnd(12)} ${what}`).join('\n')}

Flags:
  -h, --help   show this help; after a command or subcommand, its own
`

const dataDir = `  --data-dir DIR        the plane's data dir (default ./shoal-data)\n`
const planeFlags = `${dataDir}  --listen HOST:PORT    API address (default 127.0.0.1:6443)
  --mqtt-listen HOST:PORT
                        the embedded MQTT broker the nodes connect to, TLS (default: the
                        --listen host, port 8883; port 0: any free port)
  --mqtt URL            an external MQTT broker instead (mqtt://HOST:PORT or mqtts://HOST:PORT),
                        e.g. Mosquitto set up by 'shoal broker-config'; the plane logs in with
                        DIR/broker.json (or user:password in the URL); nodes are told this URL;
                        an mqtts:// broker's certificate must be signed by the plane's CA
                        or by --mqtt-ca
  --mqtt-ca FILE        PEM: the CA that signed the external broker's certificate, if not the
                        plane's; joining nodes are given it (for the broker only)
  --mqtt-cert FILE, --mqtt-key FILE
                        PEM: a client certificate and its key the plane logs in to the external
                        broker with (e.g. Mosquitto's use_identity_as_username)
  --mqtt-nodes URL      the external broker's URL as nodes dial it, if not --mqtt's (another
                        name, or a listener that takes node passwords)
  --store URL           keep the objects in etcd instead of the CBOR log in DIR/store:
                        etcd://HOST:2379[,HOST2:2379][/PREFIX] (plain gRPC), etcds://… (TLS);
                        /PREFIX: every key under it (planes or others sharing one etcd)
  --etcd-ca FILE        PEM: the CA that signed etcd's certificate (etcds://)
  --etcd-cert FILE, --etcd-key FILE
                        PEM: the client certificate and its key the plane logs in to etcd with
                        (etcd's --client-cert-auth)
  --leader-elect, --no-leader-elect
                        several planes on one etcd: every plane serves the API and the
                        nodes that hash to it (each its own broker login: broker-config
                        --planes), only the elected leader runs the scheduler and controllers
                        (default on with --store etcd and --mqtt; needs both)
  --leader-elect-lease-duration DURATION
                        the leader's lease: another plane takes over this long after the
                        leader dies (default 15s; renewed every third of it)
  --leader-elect-identity NAME
                        this plane's name as leader and among the planes sharing the
                        nodes, unique among them
                        (default HOSTNAME_DATA-DIR)
  --insecure-http       plain HTTP, no authentication and no broker (loopback tests only)
  --node-monitor-grace-period DURATION
                        a node not heard from for this long is NotReady (Unknown) and
                        tainted unreachable (default 5s)
  --default-toleration-seconds N
                        how long pods stay bound to a NotReady or unreachable node before
                        they are evicted and replaced elsewhere, unless a pod tolerates
                        the taint for a time of its own (default 5)
  --event-ttl DURATION  Events are deleted this long after their last write: 30m, 1h, 0 to
                        keep them (default 1h, as kube-apiserver)
  --service-node-port-range MIN-MAX
                        node ports of NodePort / LoadBalancer Services (default 30000-32767)
  -h, --help            show this help
`
const tokenNote = `Tokens are kept hashed in DIR/tokens.json. A running plane accepts an issued token at once;
a revoked one may still be accepted for up to a second. Planes on one etcd share their tokens
through it: a token issued or revoked in one plane's DIR reaches the others within a second
(once that plane runs).
`

/** each command's and subcommand's own --help */
const usages: Record<string, string> = {
  plane: `Usage: shoal plane [flags]\n\nRun the control plane (store + API server).\n\nFlags:\n${planeFlags}`,
  up: upUsage,
  start: upUsage
    .replace('Usage: shoal up', 'Usage: shoal start')
    .replace('\n\n', "\n\nThe same as 'shoal up'. "),
  version: 'Usage: shoal version\n\nPrint the Shoal version.\n',
  help: 'Usage: shoal help [command]\n\nShow the usage of shoal, or of one command.\n',
  token: `Usage: shoal token <issue|list|revoke> [flags]

Bearer tokens of a plane.

Subcommands:
  issue    print a new token: --role admin|viewer --user NAME, --role node --node NAME, or
           --role join (and the 'shoal agent --join …' command a node joins with)
  list     list tokens (user, role, node, created); never the tokens themselves
  revoke   remove every token of a user (--user NAME) or of a node (--node NAME)

Run 'shoal token <subcommand> --help' for its flags.

${tokenNote}`,
  'token issue': `Usage: shoal token issue --role admin|viewer --user NAME [--data-dir DIR]
       shoal token issue --role node --node NAME [--data-dir DIR]
       shoal token issue --role join [--server URL] [--data-dir DIR]

Print a new bearer token (shown once). A node token acts as user system:node:NAME in group
system:nodes and may touch only what is bound to that node; --user system:node:NAME is taken as
--node NAME, any other --user is refused for a node token.
A join token (user system:bootstrap:ID) may only join nodes: POST /shoal/v1/join gives a node
its own node token. The command line a node joins with is printed after it, with the sha256 of
the plane's CA certificate (the agent trusts nothing that does not match it). A join token stays
valid until revoked: shoal token revoke --user system:bootstrap:ID (see 'shoal token list').

Flags:
  --role ROLE           admin, viewer, node or join
  --user NAME           the user (admin, viewer); may not start with "system:"
  --node NAME           the node (node tokens)
  --server URL          the plane's URL in the join command (default: the one in
                        DIR/admin.kubeconfig)
${dataDir}  -h, --help            show this help
`,
  agent: `Usage: shoal agent --join URL --token TOKEN --ca-cert-hash sha256:HEX [--name NODE] [flags]
       shoal agent [--data-dir DIR] [flags]

Run the node agent: it takes the pods the plane assigns to this node and runs them as
WebAssembly components, reporting their status and the node's over MQTT. The first start joins
the plane: the plane's CA certificate is fetched and must hash to --ca-cert-hash, then the join
token is traded for the node's own credentials, kept in DIR (0700, files 0600). Later starts need
only --data-dir (a --join naming the same plane and node is then a no-op). Offline first: the pods
last assigned run from DIR even while the plane is away. SIGINT/SIGTERM stop the pods cleanly;
the next start brings them back.

Flags:
  --join URL            the plane, https://HOST:PORT ('shoal token issue --role join' prints the line)
  --token TOKEN         a join token (only with --join)
  --ca-cert-hash HASH   sha256:<hex> of the plane's CA certificate
  --insecure-skip-ca-verification
                        join without checking the CA (trusts whatever answers: tests only)
  --name NODE           the node's name (default: this machine's hostname)
  --data-dir DIR        credentials, desired state, images, statuses (default ./shoal-agent)
  --labels K=V,...      the node's labels
  --address IP          the node's address (default: its first non-loopback IPv4)
  --mesh-port PORT      the mesh's node-to-node (mutual TLS) port on --address, told to the
                        plane (default 10443; 0: any free port)
  --mesh-local-port PORT
                        the mesh for this node's own clients, on 127.0.0.1: any Service by Host
                        header, e.g. curl -H 'Host: web.default' 127.0.0.1:10080 (default 10080)
  --mesh-public HOST:PORT
                        the mesh for clients outside the fleet: Services of type NodePort or
                        LoadBalancer only, others 403 (default 0.0.0.0:10081; off: none)
  --mesh-ingress-tls HOST:PORT
                        HTTPS for Ingress hosts with a tls entry, the certificate picked by SNI
                        from their kubernetes.io/tls Secrets; only a node labelled
                        node-role.kubernetes.io/ingress may read them (default off)
  --node-port-address IP
                        where NodePort Services' node ports listen (default 0.0.0.0)
  --metrics HOST:PORT   GET /metrics: the mesh's Prometheus counters (default 127.0.0.1:10249; off)
  --heartbeat DURATION  time between heartbeats: 2s, 500ms, 1m (default 2s; the plane calls a
                        node silent after 5 s without one)
  --min-disk-free PCT   below this much of the data dir's filesystem free, images no pod uses are
                        deleted (least recently used first) and DiskPressure is reported (default 10%)
  --image-budget SIZE   the most images may take on disk, e.g. 2Gi or 500Mi (default: no budget)
  -h, --help            show this help
`,
  migrate: `Usage: shoal migrate --from STORE --to STORE [--force] [--etcd-ca FILE --etcd-cert FILE --etcd-key FILE]

Copy every key of one store into another, e.g. a plane's CBOR log into etcd before running
'shoal plane --store etcd://…', or back. STORE is a plane's data dir (its store/ is used), a store
dir, or an etcd URL (etcd://HOST:2379[,HOST2:2379][/PREFIX], etcds://… for TLS). The latest value
of each key is copied, read at one revision; keys on a lease get a lease with the TTL left.
Revisions start anew in the target. Stop the plane first (a log store is locked while open);
keep the data dir: its keys decrypt the stored Secrets whichever store holds them.

Flags:
  --from STORE          the store to copy
  --to STORE            where the keys go; refused if it already holds keys, unless --force
  --force               copy into a store that holds keys (the source's keys overwrite theirs)
  --etcd-ca FILE, --etcd-cert FILE, --etcd-key FILE
                        PEM files for an etcds:// side (see 'shoal plane --help')
  -h, --help            show this help
`,
  'broker-config': `Usage: shoal broker-config [--data-dir DIR] [--listen HOST:PORT] [--out OUT]

Write what an external Mosquitto (2.0) needs to carry this plane's node channel, each node
confined to its own topics: OUT/mosquitto.conf, OUT/acl (the plane: shoal/v1/nodes/#; a node:
only its own leaves, by 'pattern … %u') and OUT/passwd (the plane's login); and DIR/broker.json,
the plane's login (0600). Then: mosquitto -c OUT/mosquitto.conf, and shoal plane --mqtt
mqtt://HOST:PORT. Each node that joins is added to OUT/passwd (username = node name, password =
its node token); Mosquitto reads it on SIGHUP (systemctl reload mosquitto), and the agent retries
until then. Nodes joined before need to join again. The listener is TLS with a certificate the
plane's CA signs (DIR/pki/broker.crt, for the names in --listen and --san): agents trust only
that CA, and refuse to send their token to a plain mqtt:// broker.

Flags:
${dataDir}  --listen HOST:PORT    where Mosquitto listens (default 127.0.0.1:1883)
  --out DIR             where the files go (default DIR/mosquitto)
  --san NAME,...        more names or addresses the nodes dial the broker at
  --plain               a plain mqtt:// listener (the plane only, e.g. a benchmark: agents refuse it)
  --planes N            logins for N planes on one etcd (shoal-plane, shoal-plane-2, …, one
                        password): give each plane its own, --mqtt mqtts://shoal-plane-2@HOST:PORT
  -h, --help            show this help
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

async function runPlane(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'data-dir': { type: 'string', default: './shoal-data' },
      listen: { type: 'string', default: '127.0.0.1:6443' },
      'mqtt-listen': { type: 'string' },
      mqtt: { type: 'string' },
      store: { type: 'string' },
      'etcd-ca': { type: 'string' },
      'etcd-cert': { type: 'string' },
      'etcd-key': { type: 'string' },
      'mqtt-ca': { type: 'string' },
      'mqtt-cert': { type: 'string' },
      'mqtt-key': { type: 'string' },
      'mqtt-nodes': { type: 'string' },
      'insecure-http': { type: 'boolean', default: false },
      'leader-elect': { type: 'boolean' },
      'no-leader-elect': { type: 'boolean' },
      'leader-elect-lease-duration': { type: 'string' },
      'leader-elect-identity': { type: 'string' },
      'node-monitor-grace-period': { type: 'string', default: '5s' },
      'default-toleration-seconds': { type: 'string', default: '5' },
      'event-ttl': { type: 'string', default: '1h' },
      'service-node-port-range': { type: 'string', default: '30000-32767' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (values.help) return help('plane')
  await boundPlaneHeap()
  const toleration = values['default-toleration-seconds']!.trim()
  if (!/^\d{1,9}$/.test(toleration))
    throw new BadRequestError(
      `plane: --default-toleration-seconds must be a whole number of seconds, not "${toleration}"`,
    )
  const { createPlane, parseNodePortRange } = await planeModule()
  const range = values['service-node-port-range']!
  const serviceNodePortRange = parseNodePortRange(range)
  if (!serviceNodePortRange)
    throw new BadRequestError(
      `plane: --service-node-port-range must be MIN-MAX within 1-65535, not "${range}"`,
    )
  const plane = await createPlane({
    serviceNodePortRange,
    dataDir: values['data-dir']!,
    listen: values.listen,
    mqttListen: values['mqtt-listen'],
    mqtt: values.mqtt,
    store: values.store,
    etcdCa: values['etcd-ca'],
    etcdCert: values['etcd-cert'],
    etcdKey: values['etcd-key'],
    mqttCa: values['mqtt-ca'],
    mqttCert: values['mqtt-cert'],
    mqttKey: values['mqtt-key'],
    mqttNodes: values['mqtt-nodes'],
    insecureHttp: values['insecure-http'],
    leaderElect: leaderElectFlags(values),
    nodeLifecycle: {
      gracePeriodMs: durationMs(
        values['node-monitor-grace-period']!,
        '--node-monitor-grace-period',
        'plane',
      ),
      defaultTolerationSeconds: Number(toleration),
    },
    eventTtlSeconds:
      values['event-ttl']!.trim() === '0'
        ? 0
        : Math.ceil(durationMs(values['event-ttl']!, '--event-ttl', 'plane') / 1000),
    version: version(),
  })
  process.stdout.write(`shoal plane: serving ${plane.url}\n`)
  if (plane.mqttUrl) process.stdout.write(`shoal plane: nodes connect to ${plane.mqttUrl}\n`)
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await plane.close()
  return 0
}

async function runMigrate(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      force: { type: 'boolean', default: false },
      'etcd-ca': { type: 'string' },
      'etcd-cert': { type: 'string' },
      'etcd-key': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (values.help) return help('migrate')
  if (!values.from || !values.to)
    throw new BadRequestError('migrate: --from STORE and --to STORE are both needed')
  const { migrateStore } = await planeModule()
  let last = 0
  const r = await migrateStore({
    from: values.from,
    to: values.to,
    force: values.force,
    etcdCa: values['etcd-ca'],
    etcdCert: values['etcd-cert'],
    etcdKey: values['etcd-key'],
    onProgress: ({ copied, total }) => {
      const now = Date.now()
      if (now - last < 500 && copied < total) return
      last = now
      process.stderr.write(`shoal migrate: ${copied}/${total} keys\n`)
    },
  })
  process.stdout.write(
    `shoal migrate: copied ${r.keys} keys (${r.leases} leases) from ${values.from} at revision ${r.sourceRevision} to ${values.to} (now at revision ${r.targetRevision})\n`,
  )
  return 0
}

/** --leader-elect and its companions; undefined: the default (on with etcd and --mqtt) */
function leaderElectFlags(v: {
  'leader-elect'?: boolean
  'no-leader-elect'?: boolean
  'leader-elect-lease-duration'?: string
  'leader-elect-identity'?: string
}): boolean | { identity?: string; leaseSeconds?: number } | undefined {
  const duration = v['leader-elect-lease-duration']
  const identity = v['leader-elect-identity']
  if (v['no-leader-elect']) {
    if (v['leader-elect'] || duration || identity)
      throw new BadRequestError(
        'plane: --no-leader-elect excludes --leader-elect, --leader-elect-lease-duration and --leader-elect-identity',
      )
    return false
  }
  if (identity !== undefined && !/^[\w.:@/-]{1,253}$/.test(identity))
    throw new BadRequestError(
      `plane: --leader-elect-identity must be 1-253 letters, digits or . _ - : @ /, not "${identity}"`,
    )
  const ms =
    duration === undefined
      ? undefined
      : durationMs(duration, '--leader-elect-lease-duration', 'plane')
  if (ms !== undefined && (ms < 2000 || ms % 1000 !== 0))
    throw new BadRequestError(
      `plane: --leader-elect-lease-duration must be whole seconds, at least 2s, not "${duration}"`,
    )
  if (!v['leader-elect'] && ms === undefined && identity === undefined) return undefined
  return { identity, leaseSeconds: ms === undefined ? undefined : ms / 1000 }
}

async function runBrokerConfig(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'data-dir': { type: 'string', default: './shoal-data' },
      listen: { type: 'string', default: '127.0.0.1:1883' },
      out: { type: 'string' },
      san: { type: 'string' },
      plain: { type: 'boolean', default: false },
      planes: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (values.help) return help('broker-config')
  const planes = values.planes === undefined ? undefined : Number(values.planes)
  if (planes !== undefined && !(Number.isInteger(planes) && planes >= 1 && planes <= 64))
    throw new BadRequestError(
      `broker-config: --planes must be a whole number from 1 to 64, not "${values.planes}"`,
    )
  const { parseListen, writeBrokerConfig } = await planeModule()
  const listen = parseListen(values.listen!)
  const written = writeBrokerConfig({
    dataDir: values['data-dir']!,
    out: values.out,
    listen,
    tls: !values.plain,
    sans: values.san?.split(',').filter(Boolean),
    planes,
  })
  process.stdout.write(
    `wrote ${written.conf} (with acl and passwd beside it) and ${written.login}
` +
      `run:   mosquitto -c ${written.conf}
` +
      `then:  shoal plane --data-dir ${values['data-dir']} --mqtt ${written.url}
`,
  )
  return 0
}

async function runToken(args: string[]): Promise<number> {
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
      server: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (values.help) return help(`token ${sub}`)
  const dir = values['data-dir']!
  const { createTokenStore, caCertHash } = await planeModule()
  const tokens = createTokenStore(dir)
  if (sub === 'issue' && values.role === 'join') {
    const line = joinCommand(dir, values.server, caCertHash) // before the token: a plane without a CA issues none
    const token = tokens.issue({ role: 'join' })
    process.stdout.write(`${token}\n\nJoin a node with:\n\n  ${line(token)}\n\n`)
    return 0
  }
  if (values.server) throw new BadRequestError('token issue: --server is for join tokens')
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

/** `shoal agent --join …` for a join token, as kubeadm prints its join command */
function joinCommand(
  dir: string,
  server: string | undefined,
  caCertHash: (pem: string) => string,
): (token: string) => string {
  let ca: string
  try {
    ca = readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8')
  } catch {
    throw new BadRequestError(
      `token issue: ${dir} has no plane CA (pki/ca.crt); start the plane once with --data-dir ${dir} first`,
    )
  }
  const url = server ?? kubeconfigServer(dir)
  if (!url?.startsWith('https://'))
    throw new BadRequestError(
      'token issue: the plane URL is unknown; give it with --server https://HOST:PORT',
    )
  const hash = caCertHash(ca)
  return (token) =>
    `shoal agent --join ${url} --token ${token} --ca-cert-hash ${hash} --name <node-name> --data-dir <agent-dir>`
}

/** the server URL written in DIR/admin.kubeconfig */
function kubeconfigServer(dir: string): string | undefined {
  try {
    const kc = JSON.parse(readFileSync(join(dir, 'admin.kubeconfig'), 'utf8')) as {
      clusters?: { cluster?: { server?: unknown } }[]
    }
    const server = kc.clusters?.[0]?.cluster?.server
    return typeof server === 'string' ? server : undefined
  } catch {
    return undefined
  }
}

/** a node token names its node (--node); its user is always system:node:<node>, as in Kubernetes */
function issueRequest(values: { role?: string; user?: string; node?: string }): {
  role: Role
  user?: string
  node?: string
} {
  const role = values.role as Role | undefined
  if (!role || !['admin', 'viewer', 'node'].includes(role))
    throw new BadRequestError('token issue: --role must be admin, viewer, node or join')
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

/** "5s", "500ms", "2m" or seconds → ms */
function durationMs(text: string, flag: string, command = 'agent'): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim())
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
  const ms = m ? Number(m[1]) * unit[m[2] ?? 's'] : NaN
  if (!(ms > 0))
    throw new BadRequestError(
      `${command}: ${flag} must be a duration like 5s or 500ms, not "${text}"`,
    )
  return ms
}

/** --min-disk-free 10% and --image-budget 2Gi → the agent's disk thresholds */
function diskPressure(free: string, budget: string | undefined) {
  const m = /^(\d+(?:\.\d+)?)%$/.exec(free.trim())
  const fraction = m ? Number(m[1]) / 100 : NaN
  if (!(fraction >= 0 && fraction < 1))
    throw new BadRequestError(`agent: --min-disk-free must be a percentage like 10%, not "${free}"`)
  const imageBytes = budget === undefined ? undefined : parseMemory(budget)
  if (budget !== undefined && !imageBytes)
    throw new BadRequestError(
      `agent: --image-budget must be a size like 2Gi or 500Mi, not "${budget}"`,
    )
  return { diskFraction: fraction, ...(imageBytes ? { imageBytes } : {}) }
}

async function runAgent(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      join: { type: 'string' },
      token: { type: 'string' },
      'ca-cert-hash': { type: 'string' },
      'insecure-skip-ca-verification': { type: 'boolean', default: false },
      name: { type: 'string' },
      'data-dir': { type: 'string', default: './shoal-agent' },
      labels: { type: 'string' },
      address: { type: 'string' },
      'mesh-port': { type: 'string', default: '10443' },
      'mesh-local-port': { type: 'string', default: '10080' },
      'mesh-public': { type: 'string', default: '0.0.0.0:10081' },
      'mesh-ingress-tls': { type: 'string', default: 'off' },
      'node-port-address': { type: 'string', default: '0.0.0.0' },
      metrics: { type: 'string', default: '127.0.0.1:10249' },
      heartbeat: { type: 'string', default: '2s' },
      'min-disk-free': { type: 'string', default: '10%' },
      'image-budget': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (values.help) return help('agent')
  const { createAgent, joinPlane, nodeAddress, parseLabels } = await agentModule()
  const dataDir = values['data-dir']!
  const log = createLogger('agent')
  const joining = ['token', 'ca-cert-hash', 'insecure-skip-ca-verification', 'name'] as const
  if (!values.join && joining.some((f) => values[f]))
    throw new BadRequestError(`agent: --${joining.find((f) => values[f])} goes with --join URL`)
  if (values.join) {
    if (!values.token) throw new BadRequestError('agent: --join needs --token (a join token)')
    await joinPlane({
      plane: values.join,
      token: values.token,
      caCertHash: values['ca-cert-hash'],
      insecureSkipCaVerification: values['insecure-skip-ca-verification'],
      node: values.name ?? hostname().toLowerCase(),
      addresses: [nodeAddress(values.address)],
      dataDir,
      log,
    })
  }
  const agent = await createAgent({
    dataDir,
    logger: log,
    version: version(),
    labels: parseLabels(values.labels),
    address: values.address,
    meshPort: meshPort(values['mesh-port']!, '--mesh-port'),
    mesh: {
      local: { host: '127.0.0.1', port: meshPort(values['mesh-local-port']!, '--mesh-local-port') },
      public: hostPort(values['mesh-public']!, '--mesh-public'),
      ingressTls: hostPort(values['mesh-ingress-tls']!, '--mesh-ingress-tls'),
      nodePortHost: values['node-port-address'],
      metrics: hostPort(values.metrics!, '--metrics'),
    },
    heartbeatMs: durationMs(values.heartbeat!, '--heartbeat'),
    pressure: diskPressure(values['min-disk-free']!, values['image-budget']),
  })
  const ports = agent.meshPorts() ?? {}
  const listening = Object.entries(ports).map(([k, v]) => `${k} ${v}`)
  process.stdout.write(
    `shoal agent: node ${agent.node} running (data dir ${dataDir}; ports: ${listening.join(', ')})\n`,
  )
  const keepAlive = setInterval(() => undefined, 1 << 30) // the link may be down: stay up regardless
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
    process.once('disconnect', () => resolve()) // started by `shoal up`, which is gone
  })
  clearInterval(keepAlive)
  await agent.close()
  if (process.connected) process.disconnect() // the IPC channel would keep the process alive
  return 0
}

function meshPort(text: string, flag: string): number {
  const n = Number(text)
  if (!/^\d+$/.test(text) || n > 65535)
    throw new BadRequestError(`agent: ${flag} "${text}" is not a port (0–65535)`)
  return n
}

/** "HOST:PORT" (IPv6 as [::1]:PORT) → a listener; "off" → none */
function hostPort(text: string, flag: string): { host: string; port: number } | false {
  if (text === 'off') return false
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d+)$/.exec(text)
  if (!m) throw new BadRequestError(`agent: ${flag} must be HOST:PORT (or off), not "${text}"`)
  return { host: m[1] ?? m[2]!, port: meshPort(m[3]!, flag) }
}

function help(command: string): number {
  process.stdout.write(usages[command] ?? usage)
  return 0
}

/** a plane's process keeps its heap near what it holds (src/plane/heap-growth.ts) */
async function boundPlaneHeap(): Promise<void> {
  const { boundHeapGrowth } = await import('./plane/heap-growth.ts')
  boundHeapGrowth()
}

/** `shoal up` (and its alias `shoal start`): the plane here, the agents as children */
async function runUp(cmd: string, args: string[]): Promise<number> {
  const { parseUpFlags, runUp: up } = await upModule()
  const o = parseUpFlags(args)
  if (o.help) return help(cmd)
  await boundPlaneHeap()
  return up(o, version())
}

/** a kubectl verb: the CLI, loaded only now */
async function runCliVerb(argv: string[]): Promise<number> {
  const { processIo, runCli } = await cliModule()
  return runCli(argv, processIo(), { version: version() })
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv
  if (!cmd || isHelp(cmd)) return help('')
  if (isCliVerb(cmd) || cmd === '__complete') return runCliVerb(argv)
  if (cmd === 'help' && rest[0] && isCliVerb(rest[0])) return runCliVerb([...rest, '--help'])
  if (cmd === 'version' && rest.length && !rest.some(isHelp)) return runCliVerb(argv)
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
  if (cmd === 'agent') return runAgent(argv.slice(1))
  if (cmd === 'broker-config') return runBrokerConfig(argv.slice(1))
  if (cmd === 'migrate') return runMigrate(argv.slice(1))
  if (cmd === 'up' || cmd === 'start') return runUp(cmd, rest)
  process.stderr.write(`shoal: unknown command "${cmd}"\nRun 'shoal --help' for usage.\n`)
  return 1
}

try {
  process.exitCode = await main(process.argv.slice(2))
} catch (err) {
  process.stderr.write(`shoal: ${(err as Error).message}\n`)
  process.exitCode = 1
}
