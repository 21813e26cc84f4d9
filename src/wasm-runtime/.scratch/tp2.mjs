import http from 'node:http'
import { readFileSync, readdirSync } from 'node:fs'
import { WASIShim } from '@bytecodealliance/preview2-shim/instantiation'
import * as shimHttp from '@bytecodealliance/preview2-shim/http'
const dir = '/tmp/rt-exp/cache-fuel/' + readdirSync('/tmp/rt-exp/cache-fuel').find((d) => d.startsWith('8') || true)
const dirs = readdirSync('/tmp/rt-exp/cache-fuel').map((d) => '/tmp/rt-exp/cache-fuel/' + d)
const d = dirs.find((x) => readdirSync(x).includes('component.core.wasm') && readFileSync(x + '/component.core.wasm').length > 1e6)
const { instantiate } = await import(d + '/component.mjs')
const modules = {}
for (const f of readdirSync(d).filter((f) => f.endsWith('.wasm'))) modules[f] = await WebAssembly.compile(readFileSync(d + '/' + f))
const inst = instantiate((p) => modules[p], new WASIShim({ sandbox: { env: {}, args: [], preopens: {}, enableNetwork: false } }).getImportObject())
const srv = new shimHttp.HTTPServer(inst.incomingHandler); srv.listen(0, '127.0.0.1')
const url = `http://127.0.0.1:${srv.address().port}/`
const agent = new http.Agent({ keepAlive: true })
const req = () => new Promise((res) => http.get(url, { agent }, (r) => { r.resume(); r.on('end', res) }))
for (let i = 0; i < 200; i++) await req()
let t = performance.now(), n = 0
while (performance.now() - t < 2000) { await req(); n++ }
console.log('main-thread rps', n / 2)
process.exit(0)
