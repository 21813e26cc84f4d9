import { readFileSync } from 'node:fs'
import { WASIShim } from '@bytecodealliance/preview2-shim/instantiation'
import { HTTPServer } from '@bytecodealliance/preview2-shim/http'
const app = 'hello-http'
const dir = `/tmp/rt-exp/${app}`
const { instantiate } = await import(`${dir}/${app}.js`)
const modules = {}
let t0 = performance.now()
for (const f of ['core','core2','core3','core4']) { try { modules[`${app}.${f}.wasm`] = await WebAssembly.compile(readFileSync(`${dir}/${app}.${f}.wasm`)) } catch {} }
console.log('compile', performance.now()-t0)
const mems = []
for (let i = 0; i < 3; i++) {
const shim = new WASIShim({ sandbox: { env: { POD_NAME: 'p'+i }, args: [], preopens: {}, enableNetwork: false } })
t0 = performance.now()
const inst = instantiate((p) => modules[p], shim.getImportObject(), (m, imp) => { const x = new WebAssembly.Instance(m, imp); for (const v of Object.values(x.exports)) if (v instanceof WebAssembly.Memory) mems.push(v); return x })
console.log('inst ms', performance.now()-t0, Object.keys(inst))
const srv = new HTTPServer(inst.incomingHandler); srv.listen(0, '127.0.0.1'); console.log(srv.address())
const a = srv.address()
const r = await fetch(`http://127.0.0.1:${a.port}/x?y=1`); console.log(r.status, await r.text())
}
console.log(mems.map(m => m.buffer.byteLength))
process.exit(0)
