import { createRuntime } from '../runtime.ts'
import { defaultFuelPerMs as fuelPerMs } from '../fuel-budget.ts'
import { readFileSync } from 'node:fs'
const img = (app: string) => ({ digest: JSON.parse(readFileSync(`/tmp/rt-exp/images/${app}.json`, 'utf8')).digest, path: `/tmp/rt-exp/images/${app}.wasm` })
const rt = createRuntime({ cacheDir: '/tmp/rt-exp/cache', logDir: '/tmp/rt-exp/logs' })
const base = { env: {}, args: [], volumes: [], network: false, limits: {} }
for (const ms of [2000, 2001, 2002, 500, 100]) {
  const r = new Promise<any>((res) => rt.onStatus((s) => s.id === 'spin' + ms && s.state === 'exited' && res(s)))
  await rt.start({ ...base, id: 'spin' + ms, image: img('spinner'), kind: 'command', limits: { requestTimeoutMs: ms } })
  const s = await r
  const ran = s.finishedAt - s.startedAt
  console.log(ms, 'ran', ran, 'units/ms', (ms * fuelPerMs) / ran, s.reason)
}
await rt.close()
