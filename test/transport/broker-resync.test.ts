// The plane's link to an external broker came back (the bus calls resyncAll): the broker kept
// nothing and a node may have missed anything, so every node the channel knows — by its messages
// or by its pods — is sent its whole desired state again; later changes go as differences again.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { hello, openChannelFixture } from './channel-fixture.ts'

test('resyncAll: every node known is sent its whole set; changes after it are differences', async () => {
  const f = await openChannelFixture('resync-all')
  try {
    const web = await f.pod('web', 'pi-1')
    await f.pod('db', 'pi-2') // pi-2 has pods but never said hello
    await f.settle()
    f.bus.deliver('pi-1', 'hello', hello(Number(web.metadata.resourceVersion)))
    f.bus.deliver('pi-3', 'hello', hello(0)) // a node without pods
    await f.settle()
    f.bus.take()
    f.channel.resyncAll()
    await f.settle()
    const sent = f.bus
      .take(undefined, 'desired')
      .map((s) => [s.topic.split('/')[3], s.msg.type, s.msg.pods.map((p: any) => p.name)])
      .sort()
    assert.equal(sent, [
      ['pi-1', 'desired', ['web']],
      ['pi-2', 'desired', ['db']],
      ['pi-3', 'desired', []],
    ])
    await f.pod('api', 'pi-1')
    await f.settle()
    const [change] = f.bus.take('pi-1', 'desired')
    assert.is(change.msg.type, 'desired-change')
    assert.equal(
      change.msg.set.map((p: any) => p.name),
      ['api'],
    )
  } finally {
    await f.close()
  }
})

test.run()
