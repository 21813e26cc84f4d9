// From an InstanceSpec and its prepared modules to what a worker needs to start it. Pure.
import { callBudget } from './fuel-budget.ts'
import type { ModuleSet, StartRequest } from './protocol.ts'
import type { InstanceSpec } from './types.ts'

export function startRequest(
  spec: InstanceSpec,
  n: number,
  opts: { modules: ModuleSet; needsLoad: boolean; fuelPerMs?: number },
): StartRequest {
  const { modules, needsLoad } = opts
  const preopens: Record<string, string> = {}
  for (const v of spec.volumes ?? []) preopens[v.guestPath] = v.hostPath
  const memoryCapBytes = spec.limits?.memoryBytes
  const recycleAfterMemoryBytes =
    spec.recycleAfterMemoryBytes ?? (memoryCapBytes ? Math.floor(memoryCapBytes * 0.8) : undefined)
  return {
    n,
    kind: spec.kind,
    key: modules.key,
    load: needsLoad ? modules : undefined,
    env: { ...(spec.env ?? {}) },
    args: [...(spec.args ?? [])],
    preopens,
    readOnlyPaths: (spec.volumes ?? []).filter((v) => v.readOnly).map((v) => v.guestPath),
    network: spec.network === true,
    namespace: spec.namespace,
    ...callBudget(spec.kind, spec.limits ?? {}, opts.fuelPerMs),
    memoryCapBytes,
    recycleAfterRequests: spec.recycleAfterRequests,
    recycleAfterMemoryBytes,
  }
}
