// From limits to the numbers the worker enforces. Pure.
// Fuel ≈ guest instructions run. The default rate is calibrated on the spinner image (a tight C
// loop) on the reference machine (bench/runtime.mjs prints it): 1.3–6 M units/ms while a call
// runs in V8's baseline tier (Liftoff; a long call stays there, wasm has no on-stack replacement)
// and ~20 M units/ms once the code is optimized. 5 M/ms sits between: optimized code gets about a
// quarter of requestTimeoutMs of CPU, baseline code up to ~4× it. A command's own worker is also
// stopped by the watchdog exactly at its deadline; a service worker only at 4 deadlines + hangMs.
import type { InstanceLimits, WorkloadKind } from './types.ts'

export const defaultFuelPerMs = 5_000_000
/** i64 max: no CPU bound at all */
export const unlimitedFuel = (1n << 63n) - 1n
/** a service call without limits.requestTimeoutMs still ends after this */
export const defaultServiceCallMs = 30_000

export interface CallBudget {
  fuelPerCall: bigint
  /** wall-clock budget the watchdog allows a call (Infinity: none) */
  callBudgetMs: number
}

export function callBudget(kind: WorkloadKind, limits: InstanceLimits, fuelPerMs = defaultFuelPerMs): CallBudget {
  const ms = limits.requestTimeoutMs ?? (kind === 'command' ? Infinity : defaultServiceCallMs)
  if (!Number.isFinite(ms)) return { fuelPerCall: unlimitedFuel, callBudgetMs: Infinity }
  const cpuFraction = Math.min(1, Math.max(0.001, (limits.cpuMillis ?? 1000) / 1000))
  const units = BigInt(Math.ceil(ms * cpuFraction * fuelPerMs))
  return { fuelPerCall: units < unlimitedFuel ? units : unlimitedFuel, callBudgetMs: ms }
}
