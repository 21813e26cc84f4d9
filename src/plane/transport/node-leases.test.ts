import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { KubeObject, ResourceInfo } from '../../api/index.ts'
import { FakeClock, memoryLogger } from '../../core/index.ts'
import { LEASE_RENEW_EVERY_MS, leaseRenewEveryMs, NodeLeases } from './node-leases.ts'
import type { Objects } from './ports.ts'

test('a Lease is renewed every quarter of the grace period, between 1 s and 10 s', () => {
  assert.is(leaseRenewEveryMs(5_000), 1_250, "Shoal's default grace")
  assert.is(leaseRenewEveryMs(40_000), 10_000, "Kubernetes' grace: the kubelet's 10 s")
  assert.is(leaseRenewEveryMs(2_000), LEASE_RENEW_EVERY_MS, 'never more than once a second')
  assert.is(leaseRenewEveryMs(600_000), 10_000, 'never less than every 10 s')
})

test('heartbeats within the renew interval write nothing; the first after it writes', async () => {
  const writes: string[] = []
  const stored = new Map<string, KubeObject>()
  const objects = {
    get: async (_: ResourceInfo, w: { namespace?: string; name: string }) =>
      stored.get(`${w.namespace}/${w.name}`),
    create: async (_: ResourceInfo, o: KubeObject) => {
      writes.push('create')
      stored.set(`${o.metadata.namespace}/${o.metadata.name}`, o)
      return o
    },
    replace: async (_: ResourceInfo, _c: KubeObject, o: KubeObject) => {
      writes.push('replace')
      stored.set(`${o.metadata.namespace}/${o.metadata.name}`, o)
      return o
    },
  } as unknown as Objects
  const clock = new FakeClock(Date.parse('2026-12-06T00:00:00Z'))
  const every = leaseRenewEveryMs(40_000)
  const leases = new NodeLeases(objects, { clock, log: memoryLogger(), renewEveryMs: every })
  for (let t = 0; t <= 20_000; t += 2_000) {
    await leases.heard('pi-1', clock.now() + t)
  }
  // heard every 2 s for 20 s: written at 0, 10 and 20 s
  assert.equal(writes, ['create', 'replace', 'replace'])
  leases.forget('pi-1')
  await leases.heard('pi-1', clock.now() + 21_000)
  assert.is(writes.length, 4, 'a node back after its connection ended renews at once')
})

test.run()
