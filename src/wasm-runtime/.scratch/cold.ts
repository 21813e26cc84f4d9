import { readFileSync, mkdtempSync } from 'node:fs'
import { prepareImage } from '../image-prepare.ts'
import { createRuntime } from '../runtime.ts'
const app = process.argv[2]
const img = { digest: JSON.parse(readFileSync(`/tmp/rt-exp/images/${app}.json`, 'utf8')).digest, path: `/tmp/rt-exp/images/${app}.wasm` }
const cacheDir = mkdtempSync('/tmp/rt-exp/cold-')
const spec = { id: 'c', image: img, kind: (app === 'hello-http' ? 'http' : 'handler') as 'http', env: {}, args: [], volumes: [], network: false, limits: {} }
let t = performance.now()
await prepareImage(spec, cacheDir)
console.log('prepare', performance.now() - t)
const rt = createRuntime({ cacheDir, logDir: cacheDir })
t = performance.now()
await rt.start(spec)
console.log('start incl worker', performance.now() - t)
t = performance.now()
await rt.start({ ...spec, id: 'd' })
console.log('second', performance.now() - t)
await rt.close()
