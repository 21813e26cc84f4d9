import { readFileSync } from 'node:fs'
import { WASIShim } from '@bytecodealliance/preview2-shim/instantiation'
import { clocks, io } from '@bytecodealliance/preview2-shim'
const app = process.argv[2] ?? 'crasher'
const dir = `/tmp/rt-exp/${app}`
const { instantiate } = await import(`${dir}/${app}.js`)
const modules = {}
for (const f of ['core','core2','core3','core4']) { try { modules[`${app}.${f}.wasm`] = await WebAssembly.compile(readFileSync(`${dir}/${app}.${f}.wasm`)) } catch {} }
class Exit extends Error { constructor(code){ super('exit '+code); this.code = code } }
function capture(name) {
  const s = Object.create(io.streams.OutputStream.prototype)
  const w = (buf) => { process.stdout.write(`[${name}] ` + Buffer.from(buf).toString()) }
  Object.assign(s, { checkWrite: () => 65536n, write: w, blockingWriteAndFlush: w, flush(){}, blockingFlush(){}, subscribe: () => clocks.monotonicClock.subscribeDuration(0n), [Symbol.dispose](){} })
  return s
}
const shim = new WASIShim({ sandbox: { env: { CRASH_AFTER_MS: '50', CRASH_CODE: '7', SENSOR_ID: 's1' }, args: ['job', 'a1', 'b2'], preopens: { '/data': '/tmp/rt-exp' }, enableNetwork: false } })
const imports = { ...shim.getImportObject(),
  'wasi:cli/exit': { exit(s){ throw new Exit(s.tag==='err'?1:0) }, exitWithCode(c){ throw new Exit(c) } },
  'wasi:cli/stdout': { getStdout: () => capture('out') }, 'wasi:cli/stderr': { getStderr: () => capture('err') } }
const t0 = performance.now()
const inst = instantiate((p) => modules[p], imports)
console.log('inst ms', performance.now()-t0, Object.keys(inst))
try { inst.run.run(); console.log('returned') } catch (e) { console.log('caught', e.constructor.name, e.code, e.message) }
