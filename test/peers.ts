// Tests that need a program Node does not bring (Mosquitto, docker-registry, stock kubectl) are
// skipped where it is missing, saying so in one line: "SKIPPED <what>: <peer> not installed (<how>)".
// test/run.mjs counts each such line as one skipped test (and not as a pass). .ci/run installs
// every peer, so CI runs them all.
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

/**
 * A whole test file that cannot run without `peer`: when `present` is false, prints the SKIPPED
 * line naming the file and ends the process (exit 0) before any test is registered.
 */
export function skipFileWithout(
  fileUrl: string,
  peer: string,
  present: boolean,
  install: string,
): void {
  if (present) return
  const file = relative(root, fileURLToPath(fileUrl))
  console.log(`SKIPPED ${file}: ${peer} not installed (${install}; .ci/run installs it)`)
  process.exit(0)
}
