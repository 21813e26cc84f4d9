// `shoal up`: the plane in this process, the agents as its children, the samples, the URL.
import { createWriteStream, mkdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { ConflictError, createLogger, type Logger } from '../core/index.ts'
import { createPlane, type EmbeddedPlane } from '../embed/index.ts'
import {
  agentSpecs,
  joinedPlane,
  startAgent,
  type AgentSpec,
  type LocalAgent,
} from './local-agents.ts'
import {
  applySample,
  ensureSampleImages,
  firstAnswer,
  pushSamples,
  SAMPLE,
  sampleAvailable,
  sampleNodePort,
} from './samples.ts'
import type { UpOptions } from './up-flags.ts'

const say = (line: string) => process.stdout.write(`shoal up: ${line}\n`)

/** a path as the user would type it from here */
const shown = (path: string) => {
  const rel = relative(process.cwd(), path)
  return rel && !rel.startsWith('..') ? rel : path
}

/** the plane's log lines go to DIR/plane.log, not the terminal */
function fileLogger(path: string): Logger {
  const out = createWriteStream(path, { flags: 'a' })
  return createLogger('plane', {
    sink: ({ level, component, msg, fields }) => {
      const extra = fields && Object.keys(fields).length ? ' ' + JSON.stringify(fields) : ''
      out.write(`${new Date().toISOString()} ${level.padEnd(5)} ${component}: ${msg}${extra}\n`)
    },
  })
}

/** starts the agents, joining those that never did with one join token, revoked after */
async function startAgents(plane: EmbeddedPlane, specs: AgentSpec[]): Promise<LocalAgent[]> {
  const joined = specs.map(joinedPlane)
  const elsewhere = specs.find((_, i) => joined[i] && joined[i] !== plane.url)
  if (elsewhere)
    throw new ConflictError(
      `up: ${elsewhere.node} joined the plane at ${joinedPlane(elsewhere)}, but it serves at ${plane.url} now: start with the --listen of that first run (or remove ${shown(join(elsewhere.dataDir, '..'))} to join anew)`,
    )
  const ticket = joined.some((j) => !j) ? plane.joinToken() : undefined
  const agents: LocalAgent[] = []
  try {
    for (const [i, spec] of specs.entries()) {
      const agent = await startAgent(spec, joined[i] ? undefined : ticket)
      agents.push(agent)
      const p = agent.ports
      say(
        `agent ${agent.node} running, pid ${agent.pid} (mesh: local 127.0.0.1:${p.local}, public :${p.public}; log ${shown(agent.log)})`,
      )
    }
  } catch (error) {
    await Promise.all(agents.map((a) => a.stop()))
    throw error
  } finally {
    if (ticket) plane.revoke(ticket.user)
  }
  return agents
}

async function nodesReady(plane: EmbeddedPlane, nodes: string[]): Promise<void> {
  const waiting = new Set(nodes)
  const end = Date.now() + 60_000
  while (waiting.size) {
    for (const node of [...waiting]) {
      const got = await plane.request('GET', `/api/v1/nodes/${node}`)
      const ready = (got.body?.status?.conditions ?? []).find(
        (c: { type: string }) => c.type === 'Ready',
      )
      if (ready?.status !== 'True') continue
      waiting.delete(node)
      say(`node ${node} Ready`)
    }
    if (waiting.size && Date.now() > end)
      throw new ConflictError(`up: ${[...waiting].join(', ')} not Ready after 60 s`)
    if (waiting.size) await new Promise((r) => setTimeout(r, 200))
  }
}

/** ["a:1", "a:latest", "b:1"] → "a (1, latest), b (1)" */
function byName(refs: string[]): string {
  const tags = new Map<string, string[]>()
  for (const ref of refs) {
    const [name, tag] = ref.split(':') as [string, string]
    tags.set(name, [...(tags.get(name) ?? []), tag])
  }
  return [...tags].map(([name, t]) => `${name} (${t.join(', ')})`).join(', ')
}

/** images, the sample app, its URL answering; the URL (undefined: no samples) */
async function samples(plane: EmbeddedPlane, o: UpOptions): Promise<string | undefined> {
  const built = o.images ?? (await ensureSampleImages(say))
  if (!built) {
    say('no sample images here (firmware-images/.build): the sample app is left out')
    return undefined
  }
  const refs = await pushSamples(plane, built)
  say(`images in the plane's registry: ${byName(refs)}`)
  for (const line of await applySample(plane)) say(line)
  const { name, namespace } = SAMPLE
  const found = await plane.request(
    'GET',
    `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`,
  )
  if (found.body?.spec?.replicas === 0) {
    say(`deployment/${name} is scaled to 0 (kept so): scale it up to see it answer`)
    return undefined
  }
  const url = `http://127.0.0.1:${await sampleNodePort(plane)}/`
  say(`waiting for ${url} to answer`)
  await firstAnswer(url, 90_000)
  say(`deployment/${SAMPLE.name} ${await sampleAvailable(plane, 60_000)} ready`)
  return url
}

/** the sample, or why not: a sample the user changed (scaled to 0, its Service edited) may not
 * answer, and the fleet is up all the same */
async function trySamples(plane: EmbeddedPlane, o: UpOptions): Promise<string | undefined> {
  if (!o.samples) return undefined
  try {
    return await samples(plane, o)
  } catch (error) {
    say(`the sample app is not answering: ${(error as Error).message}`)
    return undefined
  }
}

function nextSteps(o: UpOptions, url: string | undefined, first: LocalAgent): string {
  const kc = shown(join(o.dataDir, 'admin.kubeconfig'))
  const app = url
    ? [
        `  The sample app, through node-1's mesh:  ${url}`,
        `    curl ${url}`,
        `    curl -H 'Host: ${SAMPLE.name}.${SAMPLE.namespace}' http://127.0.0.1:${first.ports.local}/   # any Service, by name`,
        '',
      ]
    : []
  const d = `deployment/${SAMPLE.name}`
  const rollout = url
    ? [
        `    kubectl set image ${d} ${SAMPLE.name}=hello-wat:v2   # roll out v2, then curl again`,
        `    npx shoal rollout undo ${d}                   # and back to v1`,
        `    npx shoal scale ${d} --replicas=4`,
      ]
    : []
  return [
    '',
    ...app,
    '  Try next:',
    `    kubectl --kubeconfig ${kc} get pods -o wide`,
    `    export KUBECONFIG=${join(o.dataDir, 'admin.kubeconfig')}   # then, without --kubeconfig:`,
    `    npx shoal get deploy,pods                      # shoal is kubectl's twin: same verbs, same columns`,
    ...rollout,
    `  Stop: Ctrl-C (the next 'shoal up' finds the same state)`,
    '',
  ].join('\n')
}

/** resolves on SIGINT or SIGTERM */
const signalled = () =>
  new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'))
    process.once('SIGTERM', () => resolve('SIGTERM'))
  })

export async function runUp(o: UpOptions, version: string): Promise<number> {
  const stop = signalled()
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 })
  say(`data dir ${shown(o.dataDir)}; the plane's log: ${shown(join(o.dataDir, 'plane.log'))}`)
  const plane = createPlane({
    dataDir: o.dataDir,
    listen: o.listen,
    mqttListen: o.mqttListen,
    serviceNodePortRange: o.serviceNodePortRange,
    logger: fileLogger(join(o.dataDir, 'plane.log')),
    version,
  })
  plane.on('node-joined', ({ node }) => say(`node ${node} joined`))
  await plane.start().catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE') throw error
    throw new ConflictError(
      `up: ${error.message.replace(/^listen EADDRINUSE: /, '')} — another shoal up or plane? Stop it, or give --listen and --mqtt-listen`,
      { cause: error },
    )
  })
  say(`plane serving ${plane.url} (nodes connect to ${plane.mqttUrl})`)
  let agents: LocalAgent[] = []
  let stopping = false
  try {
    agents = await startAgents(plane, agentSpecs(o.dataDir, o.agents, o))
    for (const agent of agents)
      agent.child.once('exit', (code, signal) => {
        if (!stopping)
          say(
            `agent ${agent.node} exited (${signal ?? `code ${code}`}): its pods move to the other nodes in ~10 s; log ${shown(agent.log)}`,
          )
      })
    await nodesReady(
      plane,
      agents.map((a) => a.node),
    )
    const url = await trySamples(plane, o)
    say(`ready: ${agents.length} node(s)${url ? `, the sample app answering at ${url}` : ''}`)
    process.stdout.write(nextSteps(o, url, agents[0]!))
    await stop
  } finally {
    stopping = true
    say('stopping')
    await Promise.all(agents.map((a) => a.stop()))
    await plane.stop()
    say('stopped')
  }
  return 0
}
