// wasm-runtime/instrument: rewrites a core wasm module once, at image-prepare time, before
// WebAssembly.compile, so a pod's instance can share a thread with others and still be bounded.
//
// Contract:
// - instrumentModule(bytes, { maxMemoryPages }) lowers (never raises) the maximum of every memory
//   the module defines or imports to maxMemoryPages (64 KiB pages): memory.grow beyond it returns
//   -1. A memory whose minimum is above the cap, memory64 and custom page sizes are refused.
// - instrumentModule(bytes, { fuel: true }) appends one mutable i64 global (its index is
//   imported + defined globals, so no index shifts), exports it as `fuelExport` ("__shoal_fuel",
//   or "__shoal_fuel_2"… on a clash) and charges it at every function entry and loop head. The
//   host sets `global.value` (a BigInt) before calling in; once it drops below 0 the guest traps
//   with `unreachable` (a WebAssembly.RuntimeError) and control returns to the host. The initial
//   value is i64 max (unmetered) unless `initialFuel` says otherwise. Each function call and loop
//   iteration is charged the instructions in its body (nested loops apart), all branches counted:
//   an upper bound on instructions run, deterministic per workload, so budgets are calibrated per
//   image (spinner: ~3.5e9 fuel/s; one hello-http request: ~1.5e8 fuel).
//   After a trap the fuel stays below 0 (the next call traps at once) and jco's glue refuses to
//   re-enter the component: the host discards the instance.
// - Nothing else changes: other sections, custom sections included, are copied byte for byte.
// - Input the rewriter does not understand (a component, an unknown opcode or section, a damaged
//   module) ends in InvalidError "wasm: <what is wrong> at byte <offset>", never a broken module.
// - Pure: no I/O, no node: imports.
export { instrumentModule, defaultFuelExport, unlimitedFuel } from './instrument-module.ts'
export type { InstrumentOptions, InstrumentResult, InstrumentStats } from './instrument-module.ts'
export { inspectModule } from './inspect-module.ts'
export type { ModuleInfo, MemoryInfo } from './inspect-module.ts'
export type { ImportEntry, ExternKind } from './imports.ts'
export type { ExportEntry } from './exports.ts'
export type { MemoryType } from './types.ts'
export { isComponent, isCoreModule } from './preamble.ts'
