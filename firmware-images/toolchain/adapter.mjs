// Commands (C or WAT) are core modules that call WASI preview1: jco wraps them in a component with
// its preview1 → WASI 0.2 command adapter (= `jco new --wasi-command`). An image whose world is
// not plain wasi:cli/command first gets that world's WIT embedded, so the module may also import
// WASI 0.2 interfaces directly (the crasher imports exit-with-code).
import { readFileSync } from 'node:fs'
import { componentEmbed, componentNew, preview1AdapterCommandPath } from '@bytecodealliance/jco'

export async function commandComponent(core, world, witDir) {
  if (world !== 'wasi:cli/command')
    core = await componentEmbed({ binary: core, witPath: witDir, world })
  const adapter = readFileSync(preview1AdapterCommandPath())
  return componentNew(core, [['wasi_snapshot_preview1', adapter]])
}
