import { readFileSync, readdirSync } from 'node:fs'
import { instrumentModule } from '../instrument/index.ts'
const dirs = readdirSync('/tmp/rt-exp/cache-fuel').map((d) => '/tmp/rt-exp/cache-fuel/' + d)
const d = dirs.find((x) => readdirSync(x).includes('component.core.wasm') && readFileSync(x + '/component.core.wasm').length > 1e6)!
const bytes = new Uint8Array(readFileSync(d + '/component.core.wasm'))
for (let i = 0; i < 3; i++) {
let t = performance.now()
const r = instrumentModule(bytes, { fuel: true, maxMemoryPages: 4096 })
console.log('instrument ms', performance.now() - t, r.stats)
t = performance.now()
await WebAssembly.compile(r.bytes)
console.log('compile ms', performance.now() - t)
}
