// Adapter (worker side): marks in the call slot every host call of preview2-shim that may wait —
// pollable.block and poll (sleeps, timers, sockets, outgoing HTTP responses) and the blocking
// stream calls (a slow peer's body) — so the watchdog tells a thread waiting in the host from one
// running guest code: a wait does not count against the CPU budget and never ends the worker.
// The glue looks these methods up at call time (resource methods on the prototype, poll on the
// interface object it is handed), so patching them once per thread covers every instance in it.
import { io } from '@bytecodealliance/preview2-shim'
import type { CallSlot } from './call-guard.ts'

type Method = (this: unknown, ...args: unknown[]) => unknown
type Methods = Record<string, unknown>

const streamWaits = {
  InputStream: ['blockingRead', 'blockingSkip'],
  OutputStream: [
    'blockingWriteAndFlush',
    'blockingFlush',
    'blockingWriteZeroesAndFlush',
    'blockingSplice',
  ],
}

function wrap(target: Methods, name: string, slot: CallSlot): void {
  const original = target[name]
  if (typeof original !== 'function' || (original as { waits?: true }).waits) return
  const waiting = function (this: unknown, ...args: unknown[]): unknown {
    const since = slot.waitBegin()
    try {
      return (original as Method).apply(this, args)
    } finally {
      slot.waitEnd(since)
    }
  }
  // no Symbol.for('cabiLower') copied over: an optimized binding would call the shim directly
  // and skip the mark, so the glue falls back to calling this method
  target[name] = Object.assign(waiting, { waits: true as const })
}

/** Patch the shim's waiting host calls in this thread to report to `slot`. Call once, first. */
export function trackHostWaits(slot: CallSlot): void {
  const { poll, streams } = io as unknown as {
    poll: Methods & { Pollable: { prototype: Methods } }
    streams: Record<'InputStream' | 'OutputStream', { prototype: Methods }>
  }
  wrap(poll.Pollable.prototype, 'block', slot)
  wrap(poll, 'poll', slot)
  for (const [cls, names] of Object.entries(streamWaits))
    for (const name of names) wrap(streams[cls as keyof typeof streamWaits].prototype, name, slot)
}
