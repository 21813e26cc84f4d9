// Child process of the crash test: opens the store in argv[2] and writes forever with 64
// concurrent writers, printing "ack <key> <revision>" for every acknowledged put, until killed.
import { openLogStore } from '../../src/plane/store/index.ts'
import { createLogger } from '../../src/core/index.ts'

const dir = process.argv[2]
const writers = Number(process.argv[3] ?? 64)
const inlineSync = process.argv[4] === 'pool' ? false : 'always'
const store = await openLogStore({
  dir,
  segmentBytes: 64 << 10,
  snapshotBytes: 256 << 10,
  historyRevisions: 2000,
  inlineSync,
  logger: createLogger('crash-child', { level: 'error' }),
})
const value = new Uint8Array(300).fill(7)
const tag = `${process.pid}`
process.stdout.write(`ready ${store.revision}\n`)
// every write is a new key, so the store would never snapshot on its own (nothing to reclaim):
// snapshots are asked for, so that kills land during them and during the deletes after them too
setInterval(() => store.snapshot().catch(() => {}), 150)

async function writer(w: number) {
  for (let n = 0; ; n++) {
    const key = `/crash/${tag}/${w}/${n}`
    const r = await store.put(key, value)
    process.stdout.write(`ack ${key} ${r.revision}\n`)
  }
}
await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)))
