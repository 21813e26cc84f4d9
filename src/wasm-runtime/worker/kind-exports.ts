// Does an instantiated component export what its declared kind is served through? Checked right
// after instantiation, so a mismatch refuses the start instead of failing on the first request.
// Pure.
import type { WorkloadKind } from '../types.ts'

const needs: Record<
  WorkloadKind,
  { what: string; has(exports: Record<string, unknown>): boolean }
> = {
  http: {
    what: 'wasi:http/incoming-handler (incomingHandler.handle)',
    has: (e) => typeof (e.incomingHandler as { handle?: unknown })?.handle === 'function',
  },
  handler: {
    what: 'handle: func(list<u8>) -> list<u8>',
    has: (e) => typeof e.handle === 'function',
  },
  command: {
    what: 'wasi:cli/run (run.run)',
    has: (e) => typeof (e.run as { run?: unknown })?.run === 'function',
  },
}

/** undefined if the exports fit `kind`, else the sentence the instance exits with */
export function kindMismatch(
  kind: WorkloadKind,
  exports: Record<string, unknown>,
): string | undefined {
  if (needs[kind].has(exports)) return undefined
  const names = Object.keys(exports).filter((name) => !name.includes(':'))
  const has = names.length ? names.join(', ') : 'nothing'
  return `runtime: the component exports ${has} but kind '${kind}' needs ${needs[kind].what}`
}
