// How a call into an instance ended, as the status the agent sees. Pure.
import type { ExitReport } from '../protocol.ts'
import { fuelExhausted, largestMemory, type Generation } from './generation.ts'
import { GuestExit } from './wasi-imports.ts'

/** allocation sizes the guest may still fail on below the cap (memhog asks for 1 MiB at a time) */
const oomSlackBytes = 2 * 1024 * 1024

export function exitOutcome(
  error: unknown,
  g: Generation | undefined,
  memoryCapBytes: number | undefined,
): ExitReport {
  if (error instanceof GuestExit) {
    return error.code === 0
      ? { reason: 'Completed', exitCode: 0, message: 'exited with code 0' }
      : { reason: 'Error', exitCode: error.code, message: `exited with code ${error.code}` }
  }
  const what = error instanceof Error ? error.message : String(error)
  if (g && fuelExhausted(g)) {
    return {
      reason: 'DeadlineExceeded',
      exitCode: 124,
      message:
        'runtime: stopped after using up its CPU budget (limits.cpuMillis × requestTimeoutMs)',
    }
  }
  if (g && memoryCapBytes !== undefined && largestMemory(g) + oomSlackBytes >= memoryCapBytes) {
    const mib = (largestMemory(g) / 1048576).toFixed(1)
    return {
      reason: 'OOMKilled',
      exitCode: 137,
      message: `runtime: memory limit reached (${mib} MiB of ${(memoryCapBytes / 1048576).toFixed(1)} MiB): ${what}`,
    }
  }
  return { reason: 'Error', exitCode: 1, message: `runtime: trapped: ${what}` }
}

export const completed: ExitReport = { reason: 'Completed', exitCode: 0, message: 'run returned' }
