// The conformance suite against the CBOR log store.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openLogStore, type Store } from '../../src/plane/store/index.ts'
import { createLogger } from '../../src/core/index.ts'
import { storeConformance } from './conformance.ts'

const dirs = new Map<Store, string>()
storeConformance('cbor log', {
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-store-'))
    const store = await openLogStore({ dir, logger: createLogger('test', { level: 'error' }) })
    dirs.set(store, dir)
    return store
  },
  async destroy(store) {
    await store.close()
    rmSync(dirs.get(store)!, { recursive: true, force: true })
  },
})

// the same contract with fdatasync forced onto the event-loop thread (fast-disk mode)
storeConformance('cbor log, inline fdatasync', {
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-store-'))
    const store = await openLogStore({
      dir,
      inlineSync: 'always',
      logger: createLogger('test', { level: 'error' }),
    })
    dirs.set(store, dir)
    return store
  },
  async destroy(store) {
    await store.close()
    rmSync(dirs.get(store)!, { recursive: true, force: true })
  },
})
