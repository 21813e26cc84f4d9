// The registry of plugins, as kube-scheduler's: name → plugin, and the default profile's order
// (filters cheapest first: a node refused by the first is not asked by the next).
import type { FilterPlugin, ScorePlugin } from './types.ts'
import { nodeReady } from './plugins/node-ready.ts'
import { nodeUnschedulable } from './plugins/node-unschedulable.ts'
import { nodeAffinity } from './plugins/node-affinity.ts'
import { preferNoSchedule, taintToleration } from './plugins/taint-toleration.ts'
import { nodeResourcesFit } from './plugins/node-resources-fit.ts'
import { leastAllocated } from './plugins/least-allocated.ts'
import { ownerSpread } from './plugins/owner-spread.ts'
import { imageLocality } from './plugins/image-locality.ts'

export const DEFAULT_FILTERS: readonly FilterPlugin[] = [
  nodeReady,
  nodeUnschedulable,
  nodeAffinity,
  taintToleration,
  nodeResourcesFit,
]

export const DEFAULT_SCORES: readonly ScorePlugin[] = [
  leastAllocated,
  ownerSpread,
  imageLocality,
  preferNoSchedule,
]
