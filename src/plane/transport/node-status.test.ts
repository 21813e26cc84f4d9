import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Heartbeat, Hello, Node } from '../../api/index.ts'
import { conditionsChanged, withConnectionLost, withHeartbeat, withHello } from './node-status.ts'

const hello: Hello = {
  type: 'hello',
  appliedRevision: 0,
  bootId: 'b',
  info: {
    architecture: 'arm64',
    operatingSystem: 'linux',
    kernelVersion: '6.6',
    agentVersion: '0.1.0',
    labels: {
      zone: 'a',
      'node-role.kubernetes.io/master': '',
      'node-restriction.kubernetes.io/x': 'y',
      'bad key!': 'v',
      ok: 'not a valid value!',
    },
    addresses: [],
    capacity: { cpu: '4', memory: 'lots', pods: '110' },
    allocatable: { cpu: '4', memory: '1Gi', pods: '110' },
  },
}
const beat = (status: 'True' | 'False'): Heartbeat => ({
  type: 'heartbeat',
  time: 0,
  conditions: [{ type: 'Ready', status }],
})

test('hello: valid own labels beside the well-known ones, labels set by others kept', () => {
  const cur: Node = { metadata: { name: 'pi-1', labels: { team: 'x', zone: 'old' } } }
  const n = withHello(cur, 'pi-1', hello)
  assert.equal(n.metadata.labels, {
    team: 'x',
    zone: 'a',
    'kubernetes.io/hostname': 'pi-1',
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'arm64',
  })
  assert.equal(n.status?.capacity, { cpu: '4', pods: '110' }, 'a quantity that is none is left out')
})

test("a heartbeat's images become status.images, one entry per digest, for image locality", () => {
  const d1 = 'sha256:' + '1'.repeat(64)
  const d2 = 'sha256:' + '2'.repeat(64)
  const n = withHeartbeat(undefined, 'pi-1', { ...beat('True'), images: [d2, d1, d2] }, 't1')
  assert.equal(n.status?.images, [{ names: [d1] }, { names: [d2] }])
  const kept = withHeartbeat(n, 'pi-1', beat('True'), 't2') // an older agent: none said, none lost
  assert.equal(kept.status?.images, [{ names: [d1] }, { names: [d2] }])
  assert.equal(withHeartbeat(n, 'pi-1', { ...beat('True'), images: [] }, 't3').status?.images, [])
})

test('conditions: a transition is stamped once; a lost connection makes every one Unknown', () => {
  const a = withHeartbeat(undefined, 'pi-1', beat('True'), 't1')
  const b = withHeartbeat(a, 'pi-1', beat('True'), 't2')
  assert.equal(
    [b.status?.conditions?.[0].lastTransitionTime, b.status?.conditions?.[0].lastHeartbeatTime],
    ['t1', 't2'],
  )
  assert.not.ok(conditionsChanged(a, b))
  const c = withHeartbeat(b, 'pi-1', beat('False'), 't3')
  assert.ok(conditionsChanged(b, c))
  assert.is(c.status?.conditions?.[0].lastTransitionTime, 't3')
  const lost = withConnectionLost(c, 'pi-1', 't4')
  assert.equal(
    lost.status?.conditions?.map((x) => [
      x.status,
      x.reason,
      x.lastTransitionTime,
      x.lastHeartbeatTime,
    ]),
    [['Unknown', 'NodeStatusUnknown', 't4', 't3']],
  )
  const never = withConnectionLost({ metadata: { name: 'pi-2' } }, 'pi-2', 't5')
  assert.equal(
    never.status?.conditions?.map((x) => [x.type, x.status]),
    [['Ready', 'Unknown']],
  )
})

test.run()
