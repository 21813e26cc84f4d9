// From limits to the numbers the worker enforces. Pure.
// Fuel ≈ guest instructions run. The default rate is calibrated on the spinner image (a tight C
// loop) on the reference machine (bench/runtime.mjs prints it): ~1.3 M units/ms in V8's baseline
// tier (Liftoff), which is where a long-running call stays (no on-stack replacement for wasm), and
// ~20 M units/ms once a function is optimized. Sized for the baseline tier, a runaway call ends
// within its deadline; optimized code may get less wall time than requestTimeoutMs.
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

export function callBudget(kind: WorkloadKind, limits: InstanceLimits, fuelPerMs = defaultFuelPerMs): CallBudget {
  const ms = limits.requestTimeoutMs ?? (kind === 'command' ? Infinity : defaultServiceCallMs)
  if (!Number.isFinite(ms)) return { fuelPerCall: unlimitedFuel, callBudgetMs: Infinity }
  const cpuFraction = Math.min(1, Math.max(0.001, (limits.cpuMillis ?? 1000) / 1000))
  const units = BigInt(Math.ceil(ms * cpuFraction * fuelPerMs))
  return { fuelPerCall: units < unlimitedFuel ? units : unlimitedFuel, callBudgetMs: ms }
}
