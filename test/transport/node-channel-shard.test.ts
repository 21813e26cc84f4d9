// The node channel as one of several planes (leaderElect): it serves only the nodes `owns` gives
// it, yet keeps every node's usage and answers log requests to any node; when the live planes
// change (reown) a node gained is sent its whole state and its Lease renewed by this plane, a
// node lost is sent nothing more.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { hello, openChannelFixture } from './channel-fixture.ts'
import { resourceByKind, type Lease } from '../../src/api/index.ts'
import { SERVED_BY } from '../../src/plane/transport/index.ts'

const LEASES = resourceByKind('Lease', 'coordination.k8s.io')!
type Fixture = Awaited<ReturnType<typeof openChannelFixture>>
const lease = (f: Fixture, node: string) =>
  f.objects.get(LEASES, { namespace: 'kube-node-lease', name: node }) as Promise<Lease | undefined>

const usage = (cpuSeconds: number) => ({ cpuNanos: cpuSeconds * 1e9, memoryBytes: 300e6 })
const stats = (time: number, cpuSeconds: number) => ({
  type: 'stats',
  time,
  node: { ...usage(cpuSeconds * 4), agent: usage(cpuSeconds) },
  pods: [],
})

test('several planes: only the nodes served are sent state and handled; stats and log answers from any node', async () => {
  const served = new Set(['pi-1'])
  const f = await openChannelFixture('nc-shard', {
    owns: (n) => served.has(n),
    servedBy: 'plane-a',
  })
  try {
    await f.pod('web-1', 'pi-1')
    await f.pod('web-2', 'pi-2')
    await f.settle()
    const first = f.bus.take()
    assert.ok(first.some((s) => s.topic === 'shoal/v1/nodes/pi-1/desired'))
    assert.not.ok(
      first.some((s) => s.topic.startsWith('shoal/v1/nodes/pi-2/')),
      'pi-2 sent nothing',
    )

    for (const n of ['pi-1', 'pi-2']) {
      f.bus.deliver(n, 'online', '1')
      f.bus.deliver(n, 'hello', hello(0))
      f.bus.deliver(n, 'heartbeat', {
        type: 'heartbeat',
        time: 1,
        conditions: [{ type: 'Ready', status: 'True' }],
      })
    }
    await f.settle()
    const afterHello = f.bus.take()
    assert.not.ok(afterHello.some((s) => s.topic.startsWith('shoal/v1/nodes/pi-2/')))
    assert.ok(await f.node('pi-1'), 'the node served has its Node written')
    assert.is(await f.node('pi-2'), undefined, 'another plane writes pi-2')
    assert.is((await lease(f, 'pi-1'))?.metadata.annotations?.[SERVED_BY], 'plane-a')
    assert.is(await lease(f, 'pi-2'), undefined)

    // usage of every node: any plane answers kubectl top, the leader's autoscalers read all
    f.bus.deliver('pi-2', 'stats', stats(10_000, 1))
    f.bus.deliver('pi-2', 'stats', stats(20_000, 2))
    await f.settle()
    assert.ok(f.channel.stats.node('pi-2'), 'pi-2 usage kept by a plane that does not serve it')

    // a log request to a node another plane serves: out through the bus, the answer taken by id
    const opts = { namespace: 'default', pod: 'web-2', container: 'app', tailLines: 1 }
    const lines = f.channel.requestLogs('pi-2', opts)
    const ready = lines.ready()
    await f.settle()
    const [req] = f.bus.take('pi-2', 'req')
    assert.is(req.msg.type, 'logs')
    f.bus.deliver('pi-2', 'res', { type: 'response', id: req.msg.id, lines: ['hi\n'], done: true })
    await ready
    const got: string[] = []
    for await (const l of lines) got.push(l)
    assert.equal(got, ['hi\n'])

    // plane-b died: pi-2 is served here now — its whole desired set and mesh table, its Lease
    served.add('pi-2')
    f.channel.reown()
    await f.settle()
    const gained = f.bus.take('pi-2')
    const desired = gained.find((s) => s.topic.endsWith('/desired'))
    assert.is(desired?.msg.type, 'desired', 'the whole set, as on a reconnect')
    assert.equal(
      desired!.msg.pods.map((p: { name: string }) => p.name),
      ['web-2'],
    )
    const taken = await lease(f, 'pi-2')
    assert.is(taken?.metadata.annotations?.[SERVED_BY], 'plane-a')
    f.clock.advance(2_000)
    f.bus.deliver('pi-2', 'heartbeat', {
      type: 'heartbeat',
      time: 1,
      conditions: [{ type: 'Ready', status: 'True' }],
    })
    await f.settle()
    const renewed = await lease(f, 'pi-2')
    assert.ok(
      renewed!.spec!.renewTime! > taken!.spec!.renewTime!,
      'its heartbeats renew it here now',
    )

    // a plane joined and takes pi-1: nothing more goes to pi-1 from here
    f.bus.take()
    served.delete('pi-1')
    f.channel.reown()
    await f.pod('web-3', 'pi-1')
    await f.settle()
    assert.equal(f.bus.take('pi-1'), [])
    const moves = f.log.lines.filter((l) => l.msg === 'nodes served changed')
    assert.equal(
      moves.map((l) => [l.fields?.gained, l.fields?.lost]),
      [
        [1, 0],
        [0, 1],
      ],
    )
  } finally {
    await f.close()
  }
})

test('several planes: a node gained holding a mesh table another plane numbered past this one is renumbered past it and sent the whole table', async () => {
  const served = new Set<string>()
  const f = await openChannelFixture('nc-shard-mesh', {
    owns: (n) => served.has(n),
    servedBy: 'plane-a',
  })
  try {
    f.bus.deliver('pi-1', 'online', '1')
    f.bus.deliver('pi-1', 'heartbeat', {
      type: 'heartbeat',
      time: 1,
      conditions: [{ type: 'Ready', status: 'True' }],
    })
    // a Service: the mesh table has a number
    await f.objects.create(resourceByKind('Service')!, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
    } as never)
    await f.settle()
    assert.equal(f.bus.take('pi-1'), [])
    served.add('pi-1')
    f.channel.reown()
    await f.settle()
    const first = f.bus.take('pi-1', 'mesh')
    assert.is(first.length, 1, 'the whole table on takeover')
    assert.is(first[0].msg.type, 'mesh')
    // it holds a table numbered far past: it would ignore this one as stale and say so
    const held = first[0].msg.revision + 100
    f.bus.deliver('pi-1', 'mesh-applied', { type: 'mesh-applied', revision: held })
    await f.settle()
    const again = f.bus.take('pi-1', 'mesh')
    assert.is(again.length, 1)
    assert.is(again[0].msg.type, 'mesh')
    assert.ok(again[0].msg.revision > held, `${again[0].msg.revision} > ${held}`)
  } finally {
    await f.close()
  }
})

test.run()
