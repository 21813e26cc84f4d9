// NodeReady: a node whose Ready condition is not True takes no pods — False: not ready,
// Unknown or absent: offline (its connection was lost, or it never reported).
import type { FilterPlugin } from '../types.ts'

export const NOT_READY = 'node(s) were not ready'
export const UNREACHABLE = 'node(s) were unreachable'

export const nodeReady: FilterPlugin = {
  name: 'NodeReady',
  filter: (_pod, node) =>
    node.ready === 'True' ? undefined : node.ready === 'False' ? NOT_READY : UNREACHABLE,
}
