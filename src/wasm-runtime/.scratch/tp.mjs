import http from 'node:http'
import { readFileSync } from 'node:fs'
const { createRuntime } = await import('../index.ts')
const img = (app) => ({ digest: JSON.parse(readFileSync(`/tmp/rt-exp/images/${app}.json`, 'utf8')).digest, path: `/tmp/rt-exp/images/${app}.wasm` })
const rt = createRuntime({ cacheDir: '/tmp/rt-exp/cache-' + (process.env.SHOAL_NOFUEL ? 'nofuel' : 'fuel'), logDir: '/tmp/rt-exp/logs' })
let t = performance.now()
await rt.start({ id: 'web', image: img('hello-http'), kind: 'http', env: {}, args: [], volumes: [], network: false, limits: {} })
console.log('start', performance.now() - t)
const agent = new http.Agent({ keepAlive: true })
const url = rt.url('web') + '/'
const req = () => new Promise((res) => http.get(url, { agent }, (r) => { r.resume(); r.on('end', res) }))
for (let i = 0; i < 200; i++) await req()
t = performance.now(); let n = 0
while (performance.now() - t < 2000) { await req(); n++ }
console.log('rps', n / 2)
await rt.close()
