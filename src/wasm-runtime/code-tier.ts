// Adapter: which of V8's wasm compilers runs guest code, set once per process (V8's flags are
// process-wide; the first runtime created decides). 'baseline' (the default) is Liftoff alone:
// no tier-up to TurboFan. Measured with hello-http (StarlingMonkey, 12 MB core module): the
// process's RSS after its first request is 30–55 MB lower (TurboFan's code and its compile
// memory), and requests are as fast (≈ 500–700 req/s one at a time either way: the path is jco's
// glue and the shim's I/O thread, not guest code). CPU-heavy guests run slower in Liftoff, and
// that is the speed the fuel budget is calibrated for (fuel-budget.ts: ~1.3 M units/ms in the
// baseline tier), so a call's CPU budget now means what it says rather than up to 20× more work.
import { setFlagsFromString } from 'node:v8'

export type CodeTier = 'baseline' | 'optimized'

let chosen: CodeTier | undefined

/** Apply `tier` unless a runtime of this process chose already; returns the tier in force. */
export function applyCodeTier(tier: CodeTier = 'baseline'): CodeTier {
  if (chosen) return chosen
  chosen = tier
  if (tier === 'baseline') setFlagsFromString('--liftoff-only')
  return chosen
}
