// From limits to the numbers the worker enforces. Pure.
// Fuel ≈ guest function entries + loop iterations. fuelPerMs is calibrated on the spinner image
// (a tight C loop) on the reference machine: see bench/runtime.mjs ("fuel units per ms").
import type { InstanceLimits, WorkloadKind } from './types.ts'

export const fuelPerMs = 400_000
/** i64 max: no CPU bound at all */
export const unlimitedFuel = (1n << 63n) - 1n
/** a service call without limits.requestTimeoutMs still ends after this */
export const defaultServiceCallMs = 30_000

export interface CallBudget {
  fuelPerCall: bigint
  /** wall-clock budget the watchdog allows a call (Infinity: none) */
  callBudgetMs: number
}

export function callBudget(kind: WorkloadKind, limits: InstanceLimits): CallBudget {
  const ms = limits.requestTimeoutMs ?? (kind === 'command' ? Infinity : defaultServiceCallMs)
  if (!Number.isFinite(ms)) return { fuelPerCall: unlimitedFuel, callBudgetMs: Infinity }
  const cpuFraction = Math.min(1, Math.max(0.001, (limits.cpuMillis ?? 1000) / 1000))
  const units = BigInt(Math.ceil(ms * cpuFraction * fuelPerMs))
  return { fuelPerCall: units < unlimitedFuel ? units : unlimitedFuel, callBudgetMs: ms }
}
