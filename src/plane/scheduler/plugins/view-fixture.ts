// Views for the plugins' unit tests: a pod and a node as the cache would make them.
import type { Node, Pod } from '../../../api/index.ts'
import { SchedulerCache } from '../cache.ts'
import { podView } from '../pod-view.ts'
import type { NodeView, PodView } from '../types.ts'

export function testPod(
  spec: Partial<Pod['spec']> = {},
  meta: Partial<Pod['metadata']> = {},
): PodView {
  const pod: Pod = {
    metadata: { name: 'p', namespace: 'default', uid: 'u-p', ...meta },
    spec: { containers: [{ name: 'main', image: 'hello:1' }], ...spec },
  }
  return podView('default/p', pod)
}

export function testNode(
  o: {
    name?: string
    labels?: Record<string, string>
    node?: Partial<Node['spec']>
    status?: Partial<NonNullable<Node['status']>>
    cache?: SchedulerCache
  } = {},
): NodeView {
  const node: Node = {
    metadata: { name: o.name ?? 'n1', labels: o.labels ?? {} },
    spec: o.node ?? {},
    status: {
      allocatable: { cpu: '2', memory: '1Gi', pods: '10' },
      conditions: [{ type: 'Ready', status: 'True' }],
      ...o.status,
    },
  }
  return (o.cache ?? new SchedulerCache()).setNode(node)
}
