// Test fixture for the agent: a data dir, a FakeRuntime, a FakeChannel, a fake plane behind
// fetch (components by digest and their prepared images — by default a stand-in holding the
// component as its core module, or what `prepare` makes; Secrets and ConfigMaps; it can go
// offline), synthetic component images
// (a preamble and an export section naming what the kind reads), small back-offs, and helpers
// to build desired pods and wait for things. Used by the agent's unit tests only.
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Container, DesiredPod, DesiredState, PodStatusUpdate } from '../api/index.ts'
import { memoryLogger } from '../core/index.ts'
import { encodePrepared, FakeRuntime, PREPARED_FORMAT } from '../wasm-runtime/index.ts'
import { createAgent, type Agent, type AgentOptions } from './agent.ts'
import { componentExports } from './component-kind.ts'
import { FakeChannel } from './fake-channel.ts'
import type { Credentials } from './types.ts'

/** a component binary whose only top-level export is `name` (sort: 0x01 func, 0x05 instance) */
export function fakeComponent(name: string, sort = 0x05): Uint8Array {
  const bytes = new TextEncoder().encode(name)
  const body = [1, 0x00, bytes.length, ...bytes, sort, 0, 0x00]
  return Uint8Array.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0, 11, body.length, ...body])
}

export const digestOf = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`

export const images = {
  http: fakeComponent('wasi:http/incoming-handler@0.2.10'),
  job: fakeComponent('wasi:cli/run@0.2.12'),
  handler: fakeComponent('handle', 0x01),
}

export const credentials: Credentials = {
  node: 'pi-07',
  plane: 'https://plane.test:6443',
  mqtt: 'mqtts://plane.test:8883',
  token: 'node-token',
  caCert: 'unused: fetch and channel are fakes',
}

/** the plane's HTTP side, in memory */
/** a prepared image that only a FakeRuntime runs: the component itself as its core module */
export function fakePrepared(digest: string, component: Uint8Array): Uint8Array {
  return encodePrepared({
    format: PREPARED_FORMAT,
    component: digest,
    transpiler: 'fake',
    exports: componentExports(component),
    files: { 'component.js': new Uint8Array(0), 'component.core.wasm': component },
  })
}

export class FakePlane {
  readonly blobs = new Map<string, Uint8Array>()
  /** prepared images by their own digest */
  readonly prepared = new Map<string, Uint8Array>()
  readonly secrets = new Map<string, Record<string, string>>()
  readonly requests: string[] = []
  offline = false
  /** how a component becomes its prepared image (the registry's job) */
  prepare: (digest: string, component: Uint8Array) => Promise<Uint8Array> | Uint8Array =
    fakePrepared

  async #record(component: string): Promise<Response> {
    const bytes = await this.prepare(component, this.blobs.get(component)!)
    const digest = digestOf(bytes)
    this.prepared.set(digest, bytes)
    return Response.json({ component, digest, size: bytes.length })
  }

  constructor() {
    for (const b of Object.values(images)) this.blobs.set(digestOf(b), b)
  }

  fetch: typeof fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input)
    this.requests.push(url.pathname)
    if (this.offline) throw new TypeError('fetch failed: connect ECONNREFUSED')
    if (new Headers(init?.headers).get('authorization') !== `Bearer ${credentials.token}`)
      return new Response('no', { status: 401 })
    const blob = /^\/images\/blobs\/(sha256:[a-f0-9]{64})$/.exec(url.pathname)
    if (blob && this.blobs.has(blob[1])) return new Response(this.blobs.get(blob[1])!.slice())
    const link = /^\/images\/prepared\/(sha256:[a-f0-9]{64})$/.exec(url.pathname)
    if (link && this.blobs.has(link[1])) return this.#record(link[1])
    const prep = /^\/images\/prepared\/blobs\/(sha256:[a-f0-9]{64})$/.exec(url.pathname)
    if (prep && this.prepared.has(prep[1])) return new Response(this.prepared.get(prep[1])!.slice())
    const secret = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/.exec(url.pathname)
    const data = secret && this.secrets.get(`${secret[1]}/${secret[2]}`)
    if (data) {
      const encoded = Object.fromEntries(
        Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      )
      return Response.json({ kind: 'Secret', data: encoded })
    }
    return new Response('not found', { status: 404 })
  }) as typeof fetch
}

export const fastBackoff = { initialMs: 40, maxMs: 160, resetAfterMs: 60_000 }

export function pod(
  name: string,
  more: Partial<DesiredPod> = {},
  c: Partial<Container> = {},
): DesiredPod {
  const image = c.image ?? 'hello:1'
  return {
    uid: `uid-${name}`,
    namespace: 'default',
    name,
    resourceVersion: '1',
    spec: { containers: [{ name: 'main', image, ...c }], restartPolicy: 'Always' },
    images: { [c.name ?? 'main']: { digest: digestOf(images.http) } },
    ...more,
  }
}

export const desired = (revision: number, ...pods: DesiredPod[]): DesiredState => ({
  type: 'desired',
  revision,
  pods,
})

export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false,
  ms = 3000,
): Promise<T> {
  const until = Date.now() + ms
  for (;;) {
    const value = check()
    if (value) return value
    if (Date.now() > until) throw new Error(`test: timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

export interface Harness {
  dir: string
  runtime: FakeRuntime
  channel: FakeChannel
  plane: FakePlane
  log: ReturnType<typeof memoryLogger>
  agent: Agent
  /** every pod status sent so far, oldest first */
  statuses(): PodStatusUpdate[]
  /** the latest status sent of a pod */
  latest(name: string): PodStatusUpdate | undefined
  /** a new agent process on the same data dir (fresh runtime and channel) */
  restart(more?: Partial<AgentOptions>): Promise<Harness>
  cleanup(): Promise<void>
}

export async function harness(
  more: Partial<AgentOptions> = {},
  shared?: { dir: string; plane: FakePlane },
): Promise<Harness> {
  const dir = shared?.dir ?? mkdtempSync(join(tmpdir(), 'shoal-agent-'))
  const plane = shared?.plane ?? new FakePlane()
  const runtime = new FakeRuntime()
  const channel = new FakeChannel()
  const log = memoryLogger()
  const agent = await createAgent({
    dataDir: dir,
    credentials,
    runtime,
    channel,
    fetch: plane.fetch,
    logger: log,
    restartBackoff: fastBackoff,
    retryBackoff: fastBackoff,
    statusBatchMs: 1,
    saveBatchMs: 0,
    heartbeatMs: 60_000,
    ...more,
  })
  const statuses = () => channel.of('status').flatMap((r) => r.pods)
  const h: Harness = {
    dir,
    runtime,
    channel,
    plane,
    log,
    agent,
    statuses,
    latest: (name) =>
      statuses()
        .filter((u) => u.name === name)
        .at(-1),
    restart: async (again = {}) => {
      await agent.close()
      return harness({ ...more, ...again }, { dir, plane })
    },
    cleanup: async () => {
      await agent.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return h
}
