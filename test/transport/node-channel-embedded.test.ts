// The node channel as the embedded broker runs it (`embedded`: the plane is the broker and every
// node's session is clean): a node not heard since the channel started, or whose Last Will came,
// is sent no desired state — nothing could reach it — and its hello on connecting gets the whole
// set. Real log store, in-memory bus (channel-fixture.ts).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { hello, openChannelFixture, type Sent } from './channel-fixture.ts'

type Fixture = Awaited<ReturnType<typeof openChannelFixture>>

async function withFixture(name: string, run: (f: Fixture) => Promise<void>) {
  const f = await openChannelFixture(name, { embedded: true })
  try {
    await run(f)
  } finally {
    await f.close()
  }
}

const summary = (sent: Sent[]) =>
  sent.map((s) => [
    s.topic.split('/')[3],
    s.msg.type,
    (s.msg.pods ?? s.msg.set).map((p: { name: string }) => p.name).sort(),
  ])

test('nothing is sent to a node not heard; its hello gets the whole set, then changes', () =>
  withFixture('nce-hello', async (f) => {
    await f.pod('web', 'pi-1')
    await f.pod('db', 'pi-2')
    await f.settle()
    assert.equal(f.bus.take(undefined, 'desired'), [], 'no node has said hello')
    f.bus.deliver('pi-1', 'hello', hello(0))
    await f.settle()
    assert.equal(summary(f.bus.take(undefined, 'desired')), [['pi-1', 'desired', ['web']]])
    const api = await f.pod('api', 'pi-1')
    await f.pod('cache', 'pi-2') // pi-2 still not heard
    await f.settle()
    assert.equal(summary(f.bus.take(undefined, 'desired')), [['pi-1', 'desired-change', ['api']]])
    f.bus.deliver('pi-2', 'hello', hello(0))
    await f.settle()
    assert.equal(summary(f.bus.take(undefined, 'desired')), [['pi-2', 'desired', ['cache', 'db']]])

    // gone (its Will): changes wait for its next hello, which gets everything
    f.bus.deliver('pi-1', 'applied', {
      type: 'applied',
      revision: Number(api.metadata.resourceVersion),
    })
    f.bus.deliver('pi-1', 'online', '0')
    await f.settle()
    f.bus.take()
    await f.pod('late', 'pi-1')
    await f.settle()
    assert.equal(f.bus.take(undefined, 'desired'), [], 'not connected: nothing sent')
    f.bus.deliver('pi-1', 'hello', hello(Number(api.metadata.resourceVersion)))
    await f.settle()
    assert.equal(summary(f.bus.take(undefined, 'desired')), [
      ['pi-1', 'desired', ['api', 'late', 'web']],
    ])
  }))

test('a restarted channel sends nothing at its start; each node its set once, at its hello', () =>
  withFixture('nce-restart', async (f) => {
    for (const [pod, node] of [
      ['a', 'pi-1'],
      ['b', 'pi-1'],
      ['c', 'pi-2'],
    ])
      await f.pod(pod, node)
    await f.settle()
    await f.restart()
    await f.settle()
    assert.equal(f.bus.take(undefined, 'desired'), [])
    for (const node of ['pi-2', 'pi-1']) f.bus.deliver(node, 'hello', hello(0))
    await f.settle()
    assert.equal(summary(f.bus.take(undefined, 'desired')), [
      ['pi-2', 'desired', ['c']],
      ['pi-1', 'desired', ['a', 'b']],
    ])
  }))

test.run()
