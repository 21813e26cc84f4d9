import { createRuntime } from '../runtime.ts'
import { readFileSync } from 'node:fs'
const img = (app: string) => ({ digest: JSON.parse(readFileSync(`/tmp/rt-exp/images/${app}.json`, 'utf8')).digest, path: `/tmp/rt-exp/images/${app}.wasm` })
const rt = createRuntime({ cacheDir: '/tmp/rt-exp/cache', logDir: '/tmp/rt-exp/logs' })
rt.onStatus((s) => s.state === 'exited' && console.log(Date.now() % 100000, JSON.stringify(s)))
await rt.start({ id: 'wat', image: img('hello-wat'), kind: 'handler', env: {}, args: [], volumes: [], network: false, limits: {} })
await rt.start({ id: 'web', image: img('hello-http'), kind: 'http', env: {}, args: [], volumes: [], network: false, limits: { requestTimeoutMs: 0.0001 } })
const r = await fetch(rt.url('web')! + '/x', { signal: AbortSignal.timeout(3000) }).catch((e) => ({ status: 'ERR ' + e.message, text: async () => '' }))
console.log(Date.now() % 100000, r.status, await r.text())
const t = Date.now()
const r2 = await fetch(rt.url('wat')!, { method: 'POST', body: 'x' }); console.log('neighbour', r2.status, await r2.text(), Date.now() - t, 'ms')
await rt.close()
