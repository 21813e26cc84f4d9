// plane/scheduler — places pods on nodes, as kube-scheduler's framework: a queue of the pods
// no node is bound to (back-off, and a wait for the cluster to change for those that fit
// nowhere), a cache of the nodes with what their pods request, filter plugins (Ready, not
// cordoned, node selector and affinity — the architecture a component needs among them —,
// taints, resources) and score plugins (least allocated, spread of an owner's replicas across
// nodes and zones, image locality, PreferNoSchedule), one file each under plugins/.
// Contract: reads and writes objects only through the store's interfaces (Objects), so it runs
// unchanged over either store backend; binds with a compare-and-swap write (bindPod, which the
// API's pods/binding subresource uses too); a pod placed nowhere says why in its PodScheduled
// condition and a FailedScheduling event, as kube-scheduler's message.
export { Scheduler, isOurs, type SchedulerOptions } from './scheduler.ts'
export { bindPod, boundTo, parseBinding, type BindTarget } from './binding.ts'
export type { Objects as SchedulerObjects } from './ports.ts'
