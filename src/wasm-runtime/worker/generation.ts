// One instantiation ("generation") of a component: the jco glue's exports plus the core-level
// handles the host needs to bound it: its linear memories (stats, OOM) and fuel globals.
export type InstantiateFn = (
  getCoreModule: (path: string) => WebAssembly.Module,
  imports: Record<string, unknown>,
  instantiateCore: (
    module: WebAssembly.Module,
    imports: WebAssembly.Imports,
  ) => WebAssembly.Instance,
) => Record<string, unknown>

export interface LoadedImage {
  instantiate: InstantiateFn
  modules: Record<string, WebAssembly.Module>
  fuelExports: Set<string>
}

export interface Generation {
  exports: Record<string, unknown>
  memories: WebAssembly.Memory[]
  fuel: WebAssembly.Global[]
  requests: number
}

export function instantiateGeneration(
  image: LoadedImage,
  imports: Record<string, unknown>,
): Generation {
  const memories = new Set<WebAssembly.Memory>()
  const fuel: WebAssembly.Global[] = []
  const instantiateCore = (
    module: WebAssembly.Module,
    importObject: WebAssembly.Imports,
  ): WebAssembly.Instance => {
    const instance = new WebAssembly.Instance(module, importObject)
    for (const [name, value] of Object.entries(instance.exports)) {
      if (value instanceof WebAssembly.Memory) memories.add(value)
      else if (value instanceof WebAssembly.Global && image.fuelExports.has(name)) fuel.push(value)
    }
    return instance
  }
  const exports = image.instantiate((path) => image.modules[path]!, imports, instantiateCore)
  return { exports, memories: [...memories], fuel, requests: 0 }
}

export function memoryBytes(g: Generation): number {
  let total = 0
  for (const m of g.memories) total += m.buffer.byteLength
  return total
}

export function largestMemory(g: Generation): number {
  let max = 0
  for (const m of g.memories) max = Math.max(max, m.buffer.byteLength)
  return max
}

export function setFuel(g: Generation, units: bigint): void {
  for (const global of g.fuel) global.value = units
}

export function fuelExhausted(g: Generation): boolean {
  return g.fuel.some((global) => (global.value as bigint) < 0n)
}
