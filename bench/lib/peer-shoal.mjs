// Shoal's log store, in process. Adapter shape: see peer-etcd.mjs. A put resolves after the
// store's fdatasync (its contract). SHOAL_STORE=<path to a module exporting openLogStore> benches
// another implementation of the same API.
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

export const STORE_MODULE = process.env.SHOAL_STORE
  ? pathToFileURL(resolve(process.env.SHOAL_STORE)).href
  : new URL('../../src/plane/store/index.ts', import.meta.url).href

/** The store module, or { missing: reason } when it cannot be imported (yet). */
export async function importStore() {
  try {
    const mod = await import(STORE_MODULE)
    if (typeof mod.openLogStore !== 'function')
      return { missing: `${STORE_MODULE} exports no openLogStore` }
    return mod
  } catch (err) {
    return {
      missing: `cannot import ${STORE_MODULE}: ${err.code ?? ''} ${err.message.split('\n')[0]}`,
    }
  }
}

export async function openShoal(mod, dir) {
  const store = await mod.openLogStore({ dir })
  return {
    name: 'Shoal',
    store,
    async put(key, value) {
      await store.put(key, value)
    },
    async range(prefix) {
      const res = await store.range({ prefix })
      return res.kvs.length
    },
    async watch(prefix, onKey) {
      const watcher = store.watch(
        { prefix },
        {},
        {
          onEvents(batch) {
            for (const ev of batch.events) onKey(ev.kv.key)
          },
        },
      )
      return () => watcher.cancel()
    },
    async close() {
      await store.close()
    },
  }
}
