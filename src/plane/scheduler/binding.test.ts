// The binding write's rules, as Kubernetes' BindingREST: the body checked, a bound or deleting
// pod refused, PodScheduled=True set beside the other conditions.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Pod } from '../../api/index.ts'
import { boundTo, parseBinding } from './binding.ts'

const pod = (o: Partial<Pod['metadata']> = {}, nodeName?: string): Pod => ({
  metadata: { name: 'web', namespace: 'default', uid: 'u1', ...o },
  spec: { containers: [{ name: 'm', image: 'x' }], nodeName },
  status: {
    phase: 'Pending',
    conditions: [
      { type: 'PodScheduled', status: 'False', reason: 'Unschedulable' },
      { type: 'Ready', status: 'False' },
    ],
  },
})
const now = '2026-12-05T10:00:00Z'

test('a bound pod: nodeName set, PodScheduled True, the other conditions kept, annotations added', () => {
  const p = boundTo(pod(), { node: 'pi-1', annotations: { a: 'b' } }, now)
  assert.is(p.spec.nodeName, 'pi-1')
  assert.equal(p.status?.conditions, [
    { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
    { type: 'Ready', status: 'False' },
  ])
  assert.equal(p.metadata.annotations, { a: 'b' })
})

test('refused: already bound, being deleted, another uid', () => {
  assert.throws(
    () => boundTo(pod({}, 'pi-2'), { node: 'pi-1' }, now),
    /already assigned to node "pi-2"/,
  )
  assert.throws(
    () => boundTo(pod({ deletionTimestamp: now }), { node: 'pi-1' }, now),
    /is being deleted/,
  )
  assert.throws(() => boundTo(pod(), { node: 'pi-1', uid: 'u2' }, now), /UID in the binding \(u2\)/)
})

test('the Binding body: target.name required, kind Node, the pod named in the path', () => {
  const where = { namespace: 'default', name: 'web' }
  assert.equal(
    parseBinding(
      { metadata: { name: 'web', uid: 'u1' }, target: { kind: 'Node', name: 'pi-1' } },
      where,
    ),
    {
      node: 'pi-1',
      uid: 'u1',
      annotations: undefined,
    },
  )
  assert.throws(() => parseBinding({ target: {} }, where), /target.name: Required value/)
  assert.throws(
    () => parseBinding({ target: { kind: 'Pod', name: 'x' } }, where),
    /target.kind: Unsupported value: "Pod"/,
  )
  assert.throws(
    () => parseBinding({ metadata: { name: 'db' }, target: { name: 'x' } }, where),
    /does not match the pod in the path "web"/,
  )
  assert.throws(() => parseBinding([], where), /must be a v1 Binding object/)
})

test.run()
