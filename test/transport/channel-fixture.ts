// What the node channel tests stand on: a real log store in a temp dir with the plane's
// ObjectStore over it, an in-memory Bus that records what the plane publishes (decoded) and
// delivers what a test says a node sent, a fake clock for the channel's timers, and a logger
// whose lines the tests read.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decode, encode } from 'cbor-x'
import { resourceByKind, type Node, type Pod } from '../../src/api/index.ts'
import { FakeClock, memoryLogger, systemClock } from '../../src/core/index.ts'
import { openLogStore, type LogStore } from '../../src/plane/store/index.ts'
import { ObjectStore } from '../../src/plane/server/index.ts'
import { NodeChannel, type Bus, type BusHandler } from '../../src/plane/transport/index.ts'

export const PODS = resourceByKind('Pod')!
export const NODES = resourceByKind('Node')!
export const DIGEST = 'sha256:' + 'd'.repeat(64)

export interface Sent {
  topic: string
  msg: Record<string, any>
}

export class FakeBus implements Bus {
  sent: Sent[] = []
  #subs: [RegExp, BusHandler][] = []
  /** publishes to leaves named here are recorded but not finished until release() */
  holdLeaves = new Set<string>()
  #held: (() => void)[] = []

  publish(topic: string, payload: Uint8Array): Promise<void> {
    this.sent.push({ topic, msg: decode(payload) })
    if (!this.holdLeaves.has(topic.split('/').at(-1)!)) return Promise.resolve()
    return new Promise((resolve) => this.#held.push(resolve))
  }

  /** finishes every held publish and holds no more */
  release(): void {
    this.holdLeaves.clear()
    this.#held.splice(0).forEach((done) => done())
  }

  subscribe(pattern: string, handler: BusHandler): Promise<void> {
    const re = new RegExp(`^${pattern.replace(/\+/g, '[^/]+').replace(/#$/, '.*')}$`)
    this.#subs.push([re, handler])
    return Promise.resolve()
  }

  close(): Promise<void> {
    this.#subs = []
    return Promise.resolve()
  }

  /** a message as a node would publish it: an object is CBOR-encoded, bytes go as they are */
  deliver(node: string, leaf: string, payload: unknown): void {
    const topic = `shoal/v1/nodes/${node}/${leaf}`
    const bytes =
      payload instanceof Uint8Array
        ? payload
        : typeof payload === 'string'
          ? new TextEncoder().encode(payload)
          : encode(payload)
    for (const [re, h] of this.#subs) if (re.test(topic)) h(topic, bytes)
  }

  /** what was published to one node's leaf, in order, and forgets everything */
  take(node?: string, leaf?: string): Sent[] {
    const out = this.sent.filter(
      (s) => (!node || s.topic.split('/')[3] === node) && (!leaf || s.topic.endsWith(`/${leaf}`)),
    )
    this.sent = []
    return out
  }
}

export const resolveImage = (image: string) =>
  Promise.resolve(
    image === 'hello:1' ? { digest: DIGEST } : { error: `image ${image} is not in the registry` },
  )

/** `shard`: several planes — the channel serves the nodes `owns` gives it, named `servedBy`;
 * `embedded`: the channel as on the embedded broker (desired states only to nodes heard) */
export async function openChannelFixture(
  name: string,
  shard?: { owns?: (node: string) => boolean; servedBy?: string; embedded?: boolean },
) {
  const dir = mkdtempSync(join(tmpdir(), `shoal-${name}-`))
  const store: LogStore = await openLogStore({ dir: join(dir, 'store'), logger: memoryLogger() })
  const objects = new ObjectStore(store, { clock: systemClock })
  const bus = new FakeBus()
  const clock = new FakeClock()
  const log = memoryLogger()
  let resolves = 0
  const counting = (image: string) => (resolves++, resolveImage(image))
  const start = () =>
    NodeChannel.start({
      ...{ bus, objects, resolveImage: counting, log, clock, logAnswerMs: 10_000 },
      ...shard,
    })
  let channel = await start()
  const f = {
    dir,
    store,
    objects,
    bus,
    clock,
    log,
    get channel() {
      return channel
    },
    /** images resolved so far (each one a registry lookup) */
    get resolves() {
      return resolves
    },
    /** the channel closed and started again on the same store */
    async restart() {
      await channel.close()
      channel = await start()
    },
    /** until the channel has handled every store change and message: nothing moves for 3 rounds */
    async settle() {
      let still = 0
      for (let i = 0; i < 100 && still < 3; i++) {
        const before = [bus.sent.length, store.revision]
        await new Promise((r) => setTimeout(r, 5))
        await channel.idle()
        still = before[0] === bus.sent.length && before[1] === store.revision ? still + 1 : 0
      }
    },
    pod(name: string, node?: string, extra: Partial<Pod['spec']> = {}): Promise<Pod> {
      return objects.create(PODS, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'default' },
        spec: {
          containers: [{ name: 'app', image: 'hello:1' }],
          ...(node ? { nodeName: node } : {}),
          ...extra,
        },
      } as Pod) as Promise<Pod>
    },
    async get(name: string): Promise<Pod | undefined> {
      return (await objects.get(PODS, { namespace: 'default', name })) as Pod | undefined
    },
    async node(name: string): Promise<Node | undefined> {
      return (await objects.get(NODES, { name })) as Node | undefined
    },
    async close() {
      await channel.close()
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return f
}

export const info = {
  architecture: 'arm64',
  operatingSystem: 'linux',
  kernelVersion: '6.6.31-v8+',
  agentVersion: '0.1.0',
  labels: { zone: 'garage', 'node-role.kubernetes.io/control-plane': '' },
  addresses: [{ type: 'InternalIP', address: '10.0.0.7' }],
  capacity: { cpu: '4', memory: '4Gi', pods: '110' },
  allocatable: { cpu: '4', memory: '3800Mi', pods: '110' },
}

export const hello = (appliedRevision: number) => ({
  type: 'hello',
  appliedRevision,
  bootId: 'boot-1',
  info,
})
