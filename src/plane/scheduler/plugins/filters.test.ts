// The filter plugins, each a pure function over a pod view and a node view.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SchedulerCache } from '../cache.ts'
import { nodeReady } from './node-ready.ts'
import { nodeUnschedulable } from './node-unschedulable.ts'
import { nodeAffinity, requirementHolds } from './node-affinity.ts'
import { taintToleration, tolerates } from './taint-toleration.ts'
import { nodeResourcesFit } from './node-resources-fit.ts'
import { testNode, testPod } from './view-fixture.ts'

test('NodeReady: Ready True fits; False is not ready; Unknown or absent is unreachable', () => {
  assert.is(nodeReady.filter(testPod(), testNode()), undefined)
  const cond = (status: 'False' | 'Unknown') => ({ conditions: [{ type: 'Ready', status }] })
  assert.is(
    nodeReady.filter(testPod(), testNode({ status: cond('False') })),
    'node(s) were not ready',
  )
  assert.is(
    nodeReady.filter(testPod(), testNode({ status: cond('Unknown') })),
    'node(s) were unreachable',
  )
  assert.is(
    nodeReady.filter(testPod(), testNode({ status: { conditions: [] } })),
    'node(s) were unreachable',
  )
})

test('NodeUnschedulable: a cordoned node, unless the pod tolerates the unschedulable taint', () => {
  const cordoned = testNode({ node: { unschedulable: true } })
  assert.is(nodeUnschedulable.filter(testPod(), cordoned), 'node(s) were unschedulable')
  const tolerant = testPod({
    tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists' }],
  })
  assert.is(nodeUnschedulable.filter(tolerant, cordoned), undefined)
  assert.is(nodeUnschedulable.filter(testPod(), testNode()), undefined)
})

test('NodeAffinity: nodeSelector, the architecture label among them', () => {
  const arm = testNode({ labels: { 'kubernetes.io/arch': 'arm64' } })
  const amd = testNode({ labels: { 'kubernetes.io/arch': 'amd64' } })
  const pod = testPod({ nodeSelector: { 'kubernetes.io/arch': 'arm64' } })
  assert.is(nodeAffinity.filter(pod, arm), undefined)
  assert.is(nodeAffinity.filter(pod, amd), "node(s) didn't match Pod's node affinity/selector")
  assert.is(
    nodeAffinity.filter(pod, testNode()),
    "node(s) didn't match Pod's node affinity/selector",
  )
})

test('NodeAffinity: each operator of matchExpressions, terms ORed, an empty term matches nothing', () => {
  const labels = { zone: 'a', cores: '4' }
  const holds = (operator: any, key: string, values?: string[]) =>
    requirementHolds({ key, operator, values }, labels)
  assert.ok(holds('In', 'zone', ['a', 'b']))
  assert.not.ok(holds('In', 'zone', ['b']))
  assert.not.ok(holds('In', 'site', ['a']))
  assert.ok(holds('NotIn', 'zone', ['b']))
  assert.ok(holds('NotIn', 'site', ['a'])) // absent: not in
  assert.not.ok(holds('NotIn', 'zone', ['a']))
  assert.ok(holds('Exists', 'zone'))
  assert.not.ok(holds('Exists', 'site'))
  assert.ok(holds('DoesNotExist', 'site'))
  assert.not.ok(holds('DoesNotExist', 'zone'))
  assert.ok(holds('Gt', 'cores', ['2']))
  assert.not.ok(holds('Gt', 'cores', ['4']))
  assert.ok(holds('Lt', 'cores', ['8']))
  assert.not.ok(holds('Lt', 'zone', ['8'])) // not an integer
  assert.not.ok(holds('Gt', 'site', ['1']))
  const node = testNode({ name: 'pi-1', labels })
  const required = (terms: any[]) =>
    testPod({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms },
        },
      },
    })
  const no = { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z'] }] }
  const yes = { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['pi-1'] }] }
  assert.is(nodeAffinity.filter(required([no, yes]), node), undefined)
  assert.ok(nodeAffinity.filter(required([no]), node))
  assert.ok(nodeAffinity.filter(required([{}]), node))
})

test('TaintToleration: the first untolerated NoSchedule/NoExecute taint is named', () => {
  const node = testNode({
    node: {
      taints: [
        { key: 'soft', effect: 'PreferNoSchedule' },
        { key: 'dedicated', value: 'edge', effect: 'NoSchedule' },
        { key: 'gone', effect: 'NoExecute' },
      ],
    },
  })
  assert.is(
    taintToleration.filter(testPod(), node),
    'node(s) had untolerated taint {dedicated: edge}',
  )
  const some = testPod({
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'edge', effect: 'NoSchedule' }],
  })
  assert.is(taintToleration.filter(some, node), 'node(s) had untolerated taint {gone: }')
  const all = testPod({ tolerations: [{ operator: 'Exists' }] })
  assert.is(taintToleration.filter(all, node), undefined)
  assert.not.ok(
    tolerates([{ key: 'dedicated', value: 'other' }], {
      key: 'dedicated',
      value: 'edge',
      effect: 'NoSchedule',
    }),
  )
  assert.ok(
    tolerates([{ key: 'dedicated', operator: 'Exists' }], {
      key: 'dedicated',
      value: 'edge',
      effect: 'NoExecute',
    }),
  )
  assert.not.ok(
    tolerates([{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }], {
      key: 'dedicated',
      effect: 'NoExecute',
    }),
  )
})

test('NodeResourcesFit: cpu and memory against allocatable less what is bound, and max pods', () => {
  const cache = new SchedulerCache()
  const node = testNode({ cache, status: { allocatable: { cpu: '1', memory: '1Gi', pods: '2' } } })
  const wants = (cpu: string, memory: string) =>
    testPod({ containers: [{ name: 'm', image: 'x', resources: { requests: { cpu, memory } } }] })
  assert.is(nodeResourcesFit.filter(wants('500m', '512Mi'), node), undefined)
  cache.addPod('default/a', { node: 'n1', requests: { cpu: 600, memory: 600 * 2 ** 20 } })
  assert.equal(nodeResourcesFit.filter(wants('500m', '512Mi'), node), [
    'Insufficient cpu',
    'Insufficient memory',
  ])
  assert.is(nodeResourcesFit.filter(wants('400m', '400Mi'), node), undefined)
  cache.addPod('default/b', { node: 'n1', requests: { cpu: 0, memory: 0 } })
  assert.equal(nodeResourcesFit.filter(testPod(), node), ['Too many pods'])
  cache.removePod('default/b')
  assert.is(nodeResourcesFit.filter(testPod(), node), undefined)
})

test.run()
