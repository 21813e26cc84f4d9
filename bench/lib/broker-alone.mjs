// The embedded broker alone, as the plane starts it (startBroker: TLS, node auth, limits, the
// plane's subscriptions on every node's leaves), in its own process for bench/broker.mjs's
// memory figure: the plane's own RSS moves by ±100 MB with its garbage collector when it holds
// 100k pods, more than the broker's whole share. Run under tsx with --expose-gc; IPC:
// → { ready, port, base } (base: RSS with the modules loaded, before the broker starts); ← { cmd: 'rss' } → { rss, young } (MB, after a full GC;
// young: what V8's young generation holds in RSS — its semi-spaces grow with the allocation rate, up to
// 2 × 16 MB, and do not shrink back: a cost of the connects' churn, once, not of each agent held); it reports
// { connected: n } each time n clients have authenticated (every 100 and at `expect`).
import { ensurePki, createTokenStore } from '../../src/plane/server/security/index.ts'
import { startBroker } from '../../src/plane/transport/index.ts'
import { createLogger } from '../../src/core/index.ts'
import { getHeapSpaceStatistics } from 'node:v8'

const [dataDir, expect] = [process.argv[2], Number(process.argv[3])]
const pki = ensurePki(dataDir)
const tokens = createTokenStore(dataDir)
let connected = 0
const rss = () => {
  for (let i = 0; i < 3; i++) globalThis.gc()
  return process.memoryUsage.rss() / 2 ** 20
}
const base = rss() // modules loaded, no broker yet
const broker = await startBroker({
  host: '127.0.0.1',
  port: 0,
  tls: { cert: pki.serverCert, key: pki.serverKey },
  authenticateNode: (node, password) => {
    const ok = tokens.authenticate(`Bearer ${password}`)?.node === node
    if (ok && (++connected % 100 === 0 || connected === expect)) process.send({ connected })
    return ok
  },
  log: createLogger('broker', { level: 'error' }),
  attach: async (bus) => {
    for (const leaf of ['hello', 'applied', 'status', 'heartbeat', 'stats', 'res', 'online'])
      await bus.subscribe(`shoal/v1/nodes/+/${leaf}`, () => undefined)
  },
})
process.on('message', (m) => {
  if (m.cmd === 'rss') {
    const all = rss()
    const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')
    process.send({ rss: all, young: (young?.physical_space_size ?? 0) / 2 ** 20 })
  }
  if (m.cmd === 'close') void broker.close().then(() => process.exit(0))
})
process.send({ ready: true, port: broker.port, base })
