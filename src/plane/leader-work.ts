// The plane's single-writer work: the scheduler and the controllers, and with one plane the node
// channel (the plane's side of the broker: desired-state sender, status writer, node Leases,
// mesh sender, log requests). One plane runs it all for its whole life; several planes on one
// etcd (leaderElect) run the scheduler and controllers only in the leader: started fresh (each
// part lists, then watches) when this plane wins, stopped the moment it may no longer lead —
// before another plane can win. There every plane runs its own node channel for its share of
// the nodes (plane.ts, plane/leader's PlaneMembers), handed here as `transport`: pod logs and
// node usage come through it on any plane. Without one (no node channel at all: insecureHttp)
// pod logs answer 503.
import { hostname } from 'node:os'
import { UnavailableError, type Clock, type Logger } from '../core/index.ts'
import type { Controllers } from './controllers/index.ts'
import { LeaderElection, writeLeaderLease, type LeaseObjects } from './leader/index.ts'
import type { Scheduler } from './scheduler/index.ts'
import type { LogSource } from './server/index.ts'
import type { Store } from './store/index.ts'
import type { Transport } from './transport/index.ts'

/** how to start each part (absent: that part does not run) */
export interface WorkParts {
  scheduler?: () => Promise<Scheduler>
  controllers?: () => Promise<Controllers>
  transport?: () => Promise<Transport>
}

export interface LeaderWork {
  /** the running node channel (only in the leader) */
  transport(): Transport | undefined
  /** pod logs through the leader's node channel */
  logs: LogSource
  /** who leads (this plane's identity when it does; undefined: none known or no election) */
  leader(): string | undefined
  close(): Promise<void>
}

export interface ElectOptions {
  /** the node channel every plane runs (several planes), whether it leads or not */
  transport?: Transport
  store: Store
  objects: LeaseObjects
  /** default <hostname>-<pid>-<random> */
  identity?: string
  ttlSeconds?: number
  renewMs?: number
  clock: Clock
  log: Logger
}

interface Running {
  transport?: Transport
  stop(): Promise<void>
}

/** starts the parts in order; one that fails stops those already started */
async function startParts(parts: WorkParts): Promise<Running> {
  const stops: (() => Promise<void>)[] = []
  const stop = async () => {
    for (const s of [...stops].reverse()) await s()
  }
  try {
    const scheduler = await parts.scheduler?.()
    if (scheduler) stops.push(() => scheduler.stop())
    const controllers = await parts.controllers?.()
    if (controllers) stops.push(() => controllers.stop())
    const transport = await parts.transport?.()
    // started last, stopped first: no status is written once the rest is stopped
    if (transport) stops.push(() => transport.close())
    return { transport, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

function work(current: () => Running | undefined, leader: () => string | undefined) {
  return {
    transport: () => current()?.transport,
    logs: {
      requestLogs(node, opts) {
        const t = current()?.transport
        if (!t) {
          const who = leader()
          throw new UnavailableError(
            `plane: pod logs come through a node channel; this plane runs none${who ? ` (${who} leads)` : ''}`,
          )
        }
        return t.requestLogs(node, opts)
      },
    } satisfies LogSource,
    leader,
  }
}

/** one plane: the parts run from now until close */
export async function runAlways(parts: WorkParts): Promise<LeaderWork> {
  const running = await startParts(parts)
  return {
    ...work(
      () => running,
      () => undefined,
    ),
    close: () => running.stop(),
  }
}

/** several planes: the parts run while this plane leads */
export function runWhileLeading(parts: WorkParts, o: ElectOptions): LeaderWork {
  const identity =
    o.identity ?? `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
  let running: Running | undefined
  const log = o.log.child('leader')
  const lease = () => writeLeaderLease(o.objects, { identity, ttlSeconds, clock: o.clock })
  const ttlSeconds = o.ttlSeconds ?? 15
  const election = new LeaderElection({
    store: o.store,
    identity,
    ttlSeconds,
    renewMs: o.renewMs,
    clock: o.clock,
    log,
    async onStartedLeading() {
      running = await startParts(parts)
      await lease().catch((err: unknown) =>
        log.warn('could not write the leader Lease', { err: String(err) }),
      )
    },
    async onStoppedLeading() {
      const was = running
      running = undefined
      await was?.stop()
    },
    onRenewed: () =>
      lease().catch((err: unknown) =>
        log.warn('could not renew the leader Lease', { err: String(err) }),
      ),
  }).start()
  const shared = o.transport && { transport: o.transport, stop: () => Promise.resolve() }
  return {
    ...work(
      () => shared ?? running,
      () => election.leader,
    ),
    close: () => election.stop(),
  }
}
