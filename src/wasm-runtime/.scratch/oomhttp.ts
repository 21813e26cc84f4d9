import { createRuntime } from '../runtime.ts'
import { readFileSync } from 'node:fs'
const img = (app: string) => ({ digest: JSON.parse(readFileSync(`/tmp/rt-exp/images/${app}.json`, 'utf8')).digest, path: `/tmp/rt-exp/images/${app}.wasm` })
const rt = createRuntime({ cacheDir: '/tmp/rt-exp/cache', logDir: '/tmp/rt-exp/logs' })
rt.onStatus((s) => s.state === 'exited' && console.log(JSON.stringify(s)))
await rt.start({ id: 'web', image: img('hello-http'), kind: 'http', env: {}, args: [], volumes: [], network: false, limits: { memoryBytes: 9502720 + 65536 * 4 }, recycleAfterMemoryBytes: 1e12 })
const url = rt.url('web')!
for (let i = 0; i < 3000; i++) {
  const r = await fetch(url + '/' + 'x'.repeat(1000), { signal: AbortSignal.timeout(3000) }).catch((e) => ({ status: 'ERR ' + e.message, text: async () => '' }))
  if (i % 200 === 0) console.log(i, JSON.stringify(await rt.stats('web')))
  if (r.status !== 200) { console.log(i, r.status, await r.text()); break }
}
console.log(await rt.stats('web').catch(() => 'x'))
await rt.close()
