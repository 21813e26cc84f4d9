// From limits to the numbers the worker enforces. Pure.
// Fuel ≈ guest instructions run, but the time a unit takes depends on the code: measured here
// (bench/runtime.mjs prints it) from ~1.3 M units/ms (a tight loop in V8's baseline tier, where a
// long call stays: wasm has no on-stack replacement) to ~25 M units/ms (optimized code). The
// default is the slow end, so a runaway call always ends within requestTimeoutMs. Guest code stays
// in the baseline tier unless RuntimeOptions.codeTier is 'optimized' (code-tier.ts), where
// CPU-heavy optimized code may get as little as 1/20 of it. RuntimeOptions.fuelPerMs moves the
// trade-off. A command's own worker is also stopped by the watchdog exactly at its deadline.
import type { InstanceLimits, WorkloadKind } from './types.ts'

export const defaultFuelPerMs = 1_200_000
/** i64 max: no CPU bound at all */
export const unlimitedFuel = (1n << 63n) - 1n
/** a service call without limits.requestTimeoutMs still ends after this */
export const defaultServiceCallMs = 30_000

export interface CallBudget {
  fuelPerCall: bigint
  /** wall-clock budget the watchdog allows a call (Infinity: none) */
  callBudgetMs: number
}

export function callBudget(
  kind: WorkloadKind,
  limits: InstanceLimits,
  fuelPerMs = defaultFuelPerMs,
): CallBudget {
  const ms = limits.requestTimeoutMs ?? (kind === 'command' ? Infinity : defaultServiceCallMs)
  if (!Number.isFinite(ms)) return { fuelPerCall: unlimitedFuel, callBudgetMs: Infinity }
  const cpuFraction = Math.min(1, Math.max(0.001, (limits.cpuMillis ?? 1000) / 1000))
  const units = BigInt(Math.ceil(ms * cpuFraction * fuelPerMs))
  return { fuelPerCall: units < unlimitedFuel ? units : unlimitedFuel, callBudgetMs: ms }
}
