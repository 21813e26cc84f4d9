import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { podQosClass } from './pod-qos.ts'

const spec = (...resources: object[]) => ({
  containers: resources.map((r, i) => ({ name: `c${i}`, image: 'x', resources: r })),
})

test('QoS classes as Kubernetes computes them', () => {
  assert.is(podQosClass(spec({})), 'BestEffort')
  assert.is(
    podQosClass(spec({ limits: { cpu: '1', memory: '1Gi' } })),
    'Guaranteed',
    'requests default to limits',
  )
  assert.is(
    podQosClass(
      spec({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1000m', memory: '1Gi' } }),
    ),
    'Guaranteed',
  )
  assert.is(
    podQosClass(spec({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } })),
    'Burstable',
  )
  assert.is(podQosClass(spec({ requests: { memory: '64Mi' } })), 'Burstable')
  assert.is(podQosClass(spec({ limits: { cpu: '1' } })), 'Burstable', 'no memory limit')
  assert.is(
    podQosClass(spec({ limits: { cpu: '1', memory: '1Gi' } }, {})),
    'Burstable',
    'one container without limits',
  )
  assert.is(podQosClass({ containers: [] } as any), 'BestEffort')
})

test.run()
