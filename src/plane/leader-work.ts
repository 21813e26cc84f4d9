// The plane's single-writer work: the scheduler, the controllers and the node channel (the
// plane's side of the broker: desired-state sender, status writer, node Leases, mesh sender,
// log requests). One plane runs it for its whole life; several planes on one etcd
// (leaderElect) run it only in the leader: started fresh (each part lists, then watches) when
// this plane wins, stopped the moment it may no longer lead — before another plane can win.
// Every plane serves the API either way; pod logs and node usage come from the leader's
// node channel, so a follower answers them 503 naming the leader.
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
            `plane: pod logs come through the leading plane's node channel; this plane does not lead${who ? ` (${who} does)` : ''}`,
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
  return {
    ...work(
      () => running,
      () => election.leader,
    ),
    close: () => election.stop(),
  }
}
