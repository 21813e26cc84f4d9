// Wires an instance's readiness and liveness probes to its record once it runs: readiness moves
// it between running and ready (with the failure as message); no readiness probe means ready at
// once (http and handler kinds). A failed liveness probe is handed to `onLivenessFailure`.
import { systemClock, type Clock } from '../core/index.ts'
import type { InstanceRecord } from './instance-record.ts'
import { ProbeLoop, probeCheck } from './probe-loop.ts'
import type { ProbeSpec } from './types.ts'

export function startProbes(
  record: InstanceRecord,
  onLivenessFailure: (why: string) => void,
  clock: Clock = systemClock,
): void {
  const { readinessProbe, livenessProbe, kind } = record.spec
  const check = (probe: ProbeSpec) =>
    probeCheck(
      probe,
      () => record.url,
      () => record.live,
    )
  if (readinessProbe) {
    const onChange = (ok: boolean, why: string) => {
      if (record.live)
        record.update({
          state: ok ? 'ready' : 'running',
          message: ok ? undefined : `readiness probe failed: ${why}`,
        })
    }
    record.probes.push(new ProbeLoop(readinessProbe, check(readinessProbe), onChange, clock))
  } else if (kind !== 'command') {
    record.update({ state: 'ready' })
  }
  if (livenessProbe) {
    const onChange = (ok: boolean, why: string) => {
      if (!ok && record.live) onLivenessFailure(why)
    }
    record.probes.push(new ProbeLoop(livenessProbe, check(livenessProbe), onChange, clock))
  }
  for (const probe of record.probes) probe.start()
}
