import { createRuntime } from '../runtime.ts'
import { readFileSync } from 'node:fs'
const img = (app: string) => ({ digest: JSON.parse(readFileSync(`/tmp/rt-exp/images/${app}.json`, 'utf8')).digest, path: `/tmp/rt-exp/images/${app}.wasm` })
const rt = createRuntime({ cacheDir: '/tmp/rt-exp/cache', logDir: '/tmp/rt-exp/logs' })
rt.onStatus((s) => console.log(JSON.stringify(s)))
await rt.start({ id: 'web', image: img('hello-http'), kind: 'http', env: {}, args: [], volumes: [], network: false, limits: {}, recycleAfterRequests: 5 })
for (let i = 0; i < 12; i++) { const r = await fetch(rt.url('web') + '/x'); await r.text() }
await new Promise((r) => setTimeout(r, 300))
console.log(await rt.stats('web'))
await rt.close()
