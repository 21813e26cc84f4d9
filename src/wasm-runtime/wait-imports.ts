// Which imports of a component's core modules let it wait in a host call: a sleep or a timer
// (monotonic-clock subscribe, then poll / pollable.block), outgoing HTTP, sockets. Without JSPI
// (Node 20) a wait blocks the whole thread, so an instance that may wait goes to a thread of
// waiters, which it leaves once a neighbour's wait has held it up (worker-pool.ts). Core import
// names follow the component model's naming (interface "wasi:io/poll@0.2.10", function
// "[method]pollable.block"), which wit-component requires of every core module it wraps. Blocking
// stream calls alone do not count: they wait only on a peer the component reached through one of
// these (its own incoming request body is already here). Pure.

const waitingInterfaces: { prefix: string; names?: string[] }[] = [
  { prefix: 'wasi:io/poll@', names: ['poll', '[method]pollable.block'] },
  { prefix: 'wasi:clocks/monotonic-clock@', names: ['subscribe-duration', 'subscribe-instant'] },
  { prefix: 'wasi:http/outgoing-handler@' },
  { prefix: 'wasi:sockets/' },
]

/** "interface#function" of every import that may wait, sorted, without repeats. */
export function waitImports(imports: Iterable<{ module: string; name: string }>): string[] {
  const found = new Set<string>()
  for (const { module, name } of imports) {
    const waits = waitingInterfaces.some(
      (w) => module.startsWith(w.prefix) && (!w.names || w.names.includes(name)),
    )
    if (waits) found.add(`${module}#${name}`)
  }
  return [...found].sort()
}
