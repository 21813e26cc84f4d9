// A node's status report, written to the store: each pod's status replaces the stored one when
// the pod with that uid exists and is bound to the reporting node (a node may not write another
// node's pods), passes the checks a status update over the API passes (nesting, unknown fields
// pruned, numbers that fit), and differs from what is stored (same status: no write). `gone`
// for a pod being deleted removes the object, as the kubelet finishes a graceful delete.
// Where the pod serves (`ports`: container → its port on the node status.podIP names, on that
// node's loopback, reached through its mesh) is kept in the pod's PORTS_ANNOTATION, for the
// endpoints and the mesh: Kubernetes' pod status has no field for it, since there every pod has
// an address of its own.
import { isDeepStrictEqual } from 'node:util'
import {
  checkBodyTree,
  numberProblem,
  pruneUnknown,
  resourceByKind,
  schemaName,
  type Pod,
  type PodStatusUpdate,
  type StatusReport,
} from '../../api/index.ts'
import { isShoalError, type Logger } from '../../core/index.ts'
import type { Objects } from './ports.ts'

const PODS = resourceByKind('Pod')!
const SCHEMA = schemaName(PODS)
const ATTEMPTS = 5
/** `{"<container>":<port>,…}` (keys sorted): where each container serves on its node */
export const PORTS_ANNOTATION = 'shoal.dev/ports'

export type Outcome = 'written' | 'deleted' | 'unchanged' | 'stale' | 'refused'

/**
 * Every pod of the report, side by side (a report carries one status per pod, so the writes are
 * independent, and the store commits them together); resolves, outcomes in the report's order,
 * once every write is durable. One failing write fails the report (it is not acknowledged, and
 * the node sends it again) after the others have settled.
 */
export async function writeStatusReport(
  objects: Objects,
  o: {
    node: string
    report: StatusReport
    log: Logger
    /** runs a pod's write after the pod's earlier ones (default: at once) */
    inOrder?: <T>(uid: string, job: () => Promise<T>) => Promise<T>
  },
): Promise<Outcome[]> {
  const inOrder = o.inOrder ?? ((_uid, job) => job())
  const settled = await Promise.allSettled(
    o.report.pods.map((u) => inOrder(u.uid, () => writeOne(objects, o.node, u, o.log))),
  )
  const failed = settled.find((s) => s.status === 'rejected')
  if (failed) throw failed.reason
  return settled.map((s) => (s as PromiseFulfilledResult<Outcome>).value)
}

async function writeOne(objects: Objects, node: string, u: PodStatusUpdate, log: Logger) {
  const who = { node, pod: `${u.namespace}/${u.name}`.slice(0, 300), uid: u.uid }
  for (let attempt = 1; ; attempt++) {
    const pod = (await objects.get(PODS, { namespace: u.namespace, name: u.name })) as
      Pod | undefined
    if (!pod || pod.metadata.uid !== u.uid) return 'stale' // deleted, or another pod by now
    if (pod.spec?.nodeName !== node) {
      log.warn('status refused: the pod is not bound to this node', {
        ...who,
        boundTo: pod.spec?.nodeName ?? null,
      })
      return 'refused'
    }
    const removes = !!u.gone && !!pod.metadata.deletionTimestamp && !pod.metadata.finalizers?.length
    const next = removes ? pod : withStatus(pod, u)
    if (typeof next === 'string') {
      log.warn('status refused', { ...who, why: next })
      return 'refused'
    }
    if (
      !removes &&
      isDeepStrictEqual(pod.status ?? {}, next.status ?? {}) &&
      isDeepStrictEqual(pod.metadata.annotations ?? {}, next.metadata.annotations ?? {})
    )
      return 'unchanged'
    try {
      await objects.replace(PODS, pod, next) // marked for deletion, no finalizer: deleted
      return removes ? 'deleted' : 'written'
    } catch (err) {
      if (!isShoalError(err, 'Conflict') || attempt >= ATTEMPTS) throw err
    }
  }
}

/** the pod with the reported status, or why that status is refused */
function withStatus(pod: Pod, u: PodStatusUpdate): Pod | string {
  const tree = checkBodyTree(u.status)
  if (!tree.ok) return tree.error
  const next = pruneUnknown(SCHEMA, { ...pod, status: u.status })
  return numberProblem(SCHEMA, next) ?? withPorts(next, u.ports)
}

/** the pod with its ports annotation as reported ({}: removed; undefined: left as it is) */
function withPorts(pod: Pod, ports: Record<string, number> | undefined): Pod {
  if (!ports) return pod
  const { [PORTS_ANNOTATION]: _old, ...others } = pod.metadata.annotations ?? {}
  const names = Object.keys(ports).sort()
  const value = JSON.stringify(Object.fromEntries(names.map((n) => [n, ports[n]])))
  const annotations = names.length ? { ...others, [PORTS_ANNOTATION]: value } : others
  const { annotations: _all, ...rest } = pod.metadata
  const metadata = Object.keys(annotations).length ? { ...rest, annotations } : rest
  return { ...pod, metadata }
}
