// etcd 3.4 peer, through the etcd3 npm client (gRPC). Same adapter shape as every peer:
//   { name, put(key, value), range(prefix) → number of kvs, watch(prefix, onKey) → cancel, close() }
// A put resolves when etcd acknowledged it, i.e. after its WAL fdatasync.
import { Etcd3 } from 'etcd3'

const asBuffer = (v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength)

export function openEtcd(url) {
  const client = new Etcd3({ hosts: url })
  // Watches get their own client (own gRPC channel), as a controller would have.
  const watchClient = new Etcd3({ hosts: url })
  return {
    name: 'etcd',
    async put(key, value) {
      await client.put(key).value(asBuffer(value)).exec()
    },
    async range(prefix) {
      // Linearizable (etcd3's default), keys and values, no client-side map building.
      const res = await client.getAll().prefix(prefix).exec()
      return res.kvs.length
    },
    async watch(prefix, onKey) {
      const watcher = await watchClient.watch().prefix(prefix).create()
      watcher.on('put', (kv) => onKey(kv.key.toString()))
      return () => watcher.cancel()
    },
    async close() {
      client.close()
      watchClient.close()
    },
  }
}
