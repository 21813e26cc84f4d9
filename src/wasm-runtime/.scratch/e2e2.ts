import { createRuntime } from '../runtime.ts'
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs'
const img = (app: string) => ({ digest: JSON.parse(readFileSync(`/tmp/rt-exp/images/${app}.json`, 'utf8')).digest, path: `/tmp/rt-exp/images/${app}.wasm` })
const rt = createRuntime({ cacheDir: '/tmp/rt-exp/cache', logDir: '/tmp/rt-exp/logs' })
const done = new Map<string, (s: any) => void>()
rt.onStatus((s) => { if (s.state === 'exited') { console.log('exit', JSON.stringify(s)); done.get(s.id)?.(s) } })
const wait = (id: string) => new Promise((r) => done.set(id, r))
const base = { env: {}, args: [], volumes: [], network: false, limits: {} }
mkdirSync('/tmp/rt-exp/data/sub', { recursive: true }); writeFileSync('/tmp/rt-exp/data/a.txt', 'line1\nline2\n'); writeFileSync('/tmp/rt-exp/secret.txt', 'SECRET\n')
let t = performance.now()
let w = wait('job')
await rt.start({ ...base, id: 'job', image: img('sensor-job'), kind: 'command', env: { SENSOR_ID: 's-9' }, args: ['sensor-job', '--x', 'y'], volumes: [{ guestPath: '/data', hostPath: '/tmp/rt-exp/data' }] })
await w
for await (const l of rt.logs('job')) console.log('JOB', l)
t = performance.now(); w = wait('spin')
await rt.start({ ...base, id: 'spin', image: img('spinner'), kind: 'command', limits: { requestTimeoutMs: 500 } })
await w; console.log('spinner ended after ms', performance.now() - t)
t = performance.now(); w = wait('hog')
await rt.start({ ...base, id: 'hog', image: img('memhog'), kind: 'command', limits: { memoryBytes: 64 * 1024 * 1024 } })
await w; console.log('memhog ended after ms', performance.now() - t, 'rss MB', process.memoryUsage().rss / 1e6)
for await (const l of rt.logs('hog', { tailLines: 3 })) console.log('HOG', l)
await rt.close()
