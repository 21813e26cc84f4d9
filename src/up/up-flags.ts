// `shoal up` flags → UpOptions, each bad value refused with the flag named.
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { BadRequestError } from '../core/index.ts'
import { parseNodePortRange, type NodePortRange } from '../api/index.ts'

export interface UpOptions {
  dataDir: string
  agents: number
  listen: string
  mqttListen?: string
  /** where NodePort Services take their ports (the sample's too) */
  serviceNodePortRange?: NodePortRange
  /** the first agent's mesh: local listener port, public listener host:port */
  meshLocalPort: number
  meshPublic: { host: string; port: number }
  /** a firmware-images/.build dir to push from, instead of building the samples */
  images?: string
  /** push no image and apply no sample */
  samples: boolean
  help: boolean
}

export const upUsage = `Usage: shoal up [flags]

Run a whole fleet on this machine: the plane (store, API server, broker, registry, scheduler,
controllers) and N node agents (child processes, each with its own data dir under
DIR/agents/NODE), joined on the first run and starting from their credentials later. The sample
images are built (first run only; cached) and pushed to the plane's registry, a sample
Deployment (hello, 2 replicas of hello-wat:v1) and its NodePort Service applied once; then the
URL where it answers through the mesh is printed, with what to try next. Ctrl-C stops it all;
the next 'shoal up' on the same data dir finds the same state.

Flags:
  --data-dir DIR        the plane's data dir; agents under DIR/agents (default ./shoal-data)
  --agents N            local agents (nodes node-1 … node-N; default 1). Kill one to watch its
                        pods move: its pid is printed
  --listen HOST:PORT    API address (default 127.0.0.1:6443); agents that joined keep the URL:
                        use the same one on later runs
  --mqtt-listen HOST:PORT
                        the embedded broker (default: the --listen host, port 8883)
  --mesh-local-port PORT
                        node-1's trusted mesh listener on 127.0.0.1: any Service by Host header
                        (default 10080; the other nodes take free ports)
  --mesh-public HOST:PORT
                        node-1's public mesh listener: NodePort / LoadBalancer Services only
                        (default 127.0.0.1:10081; the other nodes take free ports)
  --service-node-port-range MIN-MAX
                        where NodePort Services (the sample's too) take their node ports
                        (default 30000-32767)
  --images DIR          push the images built in DIR (a firmware-images/.build) instead of
                        building the samples here
  --no-samples          push no image, apply no sample
  -h, --help            show this help
`

const MAX_AGENTS = 16

function port(text: string, flag: string): number {
  const n = Number(text)
  if (!/^\d+$/.test(text) || n > 65535)
    throw new BadRequestError(`up: ${flag} "${text}" is not a port (0–65535)`)
  return n
}

function hostPort(text: string, flag: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d+)$/.exec(text)
  if (!m) throw new BadRequestError(`up: ${flag} must be HOST:PORT, not "${text}"`)
  return { host: m[1] ?? m[2]!, port: port(m[3]!, flag) }
}

export function parseUpFlags(args: string[]): UpOptions {
  const { values } = parseArgs({
    args,
    options: {
      'data-dir': { type: 'string', default: './shoal-data' },
      agents: { type: 'string', default: '1' },
      listen: { type: 'string', default: '127.0.0.1:6443' },
      'mqtt-listen': { type: 'string' },
      'service-node-port-range': { type: 'string' },
      'mesh-local-port': { type: 'string', default: '10080' },
      'mesh-public': { type: 'string', default: '127.0.0.1:10081' },
      images: { type: 'string' },
      'no-samples': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  const agents = Number(values.agents)
  if (!/^\d+$/.test(values.agents!) || agents < 1 || agents > MAX_AGENTS)
    throw new BadRequestError(
      `up: --agents must be a number from 1 to ${MAX_AGENTS}, not "${values.agents}"`,
    )
  hostPort(values.listen!, '--listen')
  if (values['mqtt-listen']) hostPort(values['mqtt-listen'], '--mqtt-listen')
  const range = values['service-node-port-range']
  const serviceNodePortRange = range === undefined ? undefined : parseNodePortRange(range)
  if (range !== undefined && !serviceNodePortRange)
    throw new BadRequestError(
      `up: --service-node-port-range must be MIN-MAX within 1-65535, not "${range}"`,
    )
  return {
    dataDir: resolve(values['data-dir']!),
    agents,
    listen: values.listen!,
    mqttListen: values['mqtt-listen'],
    serviceNodePortRange,
    meshLocalPort: port(values['mesh-local-port']!, '--mesh-local-port'),
    meshPublic: hostPort(values['mesh-public']!, '--mesh-public'),
    images: values.images && resolve(values.images),
    samples: !values['no-samples'],
    help: values.help ?? false,
  }
}
