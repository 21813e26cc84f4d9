import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { decideConnect, decidePublish, decideSubscribe } from './broker-rules.ts'

const bytes = (s: string) => new TextEncoder().encode(s)
const tokens: Record<string, string> = { 'pi-1': 'good' }
const auth = (node: string, password: string) => tokens[node] === password

test('connect: the node name, its token and the node name as client id', () => {
  const ok = { clientId: 'pi-1', username: 'pi-1', password: bytes('good') }
  assert.equal(decideConnect(ok, auth), { ok: true, node: 'pi-1' })
  const cases: [object, number][] = [
    [{ password: bytes('bad') }, 4],
    [{ password: undefined }, 4],
    [{ username: undefined }, 4],
    [{ username: 'pi-1/#' }, 4],
    [{ clientId: 'pi-2' }, 2],
    [{ clientId: '' }, 2],
  ]
  for (const [change, code] of cases) {
    const d = decideConnect({ ...ok, ...change }, auth)
    assert.is(d.ok ? 0 : d.code, code, JSON.stringify(change))
  }
})

test('publish: own from-node leaves only; retained only the online flag, "1" or "0"', () => {
  const pub = (node: string | undefined, topic: string, payload = 'x', retain = false) =>
    decidePublish(node, { topic, payload: bytes(payload), retain })
  assert.equal(pub('pi-1', 'shoal/v1/nodes/pi-1/status', 'x', true), { ok: true, retain: false })
  assert.equal(pub('pi-1', 'shoal/v1/nodes/pi-1/online', '1', true), { ok: true, retain: true })
  assert.equal(pub('pi-1', 'shoal/v1/nodes/pi-1/online', '0', true), { ok: true, retain: true })
  for (const [node, topic, payload] of [
    ['pi-1', 'shoal/v1/nodes/pi-2/status', 'x'],
    ['pi-1', 'shoal/v1/nodes/pi-1/desired', 'x'],
    ['pi-1', 'shoal/v1/nodes/pi-1/online', 'yes'],
    ['pi-1', '$SYS/broker/x', 'x'],
    [undefined, 'shoal/v1/nodes/pi-1/online', '1'],
  ] as const)
    assert.not.ok(pub(node, topic, payload).ok, `${node} ${topic} ${payload}`)
  assert.equal(pub(undefined, 'shoal/v1/nodes/pi-1/online', '0', true), { ok: true, retain: true })
})

test('subscribe: own to-node leaves only, no wildcards', () => {
  assert.ok(decideSubscribe('pi-1', 'shoal/v1/nodes/pi-1/desired'))
  assert.ok(decideSubscribe('pi-1', 'shoal/v1/nodes/pi-1/status-ack'))
  for (const t of ['shoal/v1/nodes/pi-1/#', 'shoal/v1/nodes/+/req', 'shoal/v1/nodes/pi-1/hello'])
    assert.not.ok(decideSubscribe('pi-1', t), t)
  assert.not.ok(decideSubscribe(undefined, 'shoal/v1/nodes/pi-1/desired'))
})

test.run()
