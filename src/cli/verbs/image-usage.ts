// Which objects use an image, so `shoal image rm` does not pull one from under a workload: pods
// and the pod templates of Deployments, ReplicaSets, DaemonSets, StatefulSets, Jobs and CronJobs,
// in every namespace. An image `name:tag` uses that tag (a node resolves it again whenever the
// plane resends its pods); every image uses the digest it resolves to.
import type { Wire } from '../client.ts'
import type { Ctx } from '../context.ts'
import { isNotFound } from '../errors.ts'
import { parseImageRef } from '../../api/index.ts'

const WORKLOADS: [string, string, (o: Wire) => Wire][] = [
  ['pod', '/api/v1/pods', (o) => o.spec],
  ['deployment', '/apis/apps/v1/deployments', (o) => o.spec?.template?.spec],
  ['replicaset', '/apis/apps/v1/replicasets', (o) => o.spec?.template?.spec],
  ['daemonset', '/apis/apps/v1/daemonsets', (o) => o.spec?.template?.spec],
  ['statefulset', '/apis/apps/v1/statefulsets', (o) => o.spec?.template?.spec],
  ['job', '/apis/batch/v1/jobs', (o) => o.spec?.template?.spec],
  ['cronjob', '/apis/batch/v1/cronjobs', (o) => o.spec?.jobTemplate?.spec?.template?.spec],
]

export interface ImageUser {
  /** e.g. pod default/web-1 */
  who: string
  /** the image as the object names it */
  image: string
}

/** every (object, image) pair in the cluster; kinds the plane does not serve are skipped */
export async function imageUsers(ctx: Ctx): Promise<ImageUser[]> {
  const client = ctx.client()
  const lists = await Promise.all(
    WORKLOADS.map(async ([kind, path, specOf]) => {
      let list: Wire
      try {
        list = await client.request(path)
      } catch (err) {
        if (isNotFound(err)) return []
        throw err
      }
      return (list.items ?? []).flatMap((o: Wire) => {
        const spec = specOf(o) ?? {}
        const who = `${kind} ${o.metadata?.namespace}/${o.metadata?.name}`
        return [...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c: Wire) => ({
          who,
          image: String(c.image ?? ''),
        }))
      })
    }),
  )
  return lists.flat()
}

/** a pod's image as the plane reads it: a digest, or the name:tag it looks up */
function podImage(image: string): { digest: string } | { tag: string } | undefined {
  const r = parseImageRef(image)
  if (!r || r.scheme === 'oci') return undefined
  if (r.digest) return { digest: r.digest }
  return r.scheme === 'name' ? { tag: `${r.name}:${r.tag ?? 'latest'}` } : undefined
}

/** the users naming name:tag itself (not pinned by a digest) */
export function tagUsers(users: ImageUser[], name: string, tag: string): ImageUser[] {
  return users.filter((u) => {
    const r = podImage(u.image)
    return r !== undefined && 'tag' in r && r.tag === `${name}:${tag}`
  })
}

/** the users whose image is, or resolves through `tags` (name:tag → digest) to, the digest */
export function digestUsers(
  users: ImageUser[],
  digest: string,
  tags: Map<string, string>,
): ImageUser[] {
  return users.filter((u) => {
    const r = podImage(u.image)
    if (!r) return false
    return 'digest' in r ? r.digest === digest : tags.get(r.tag) === digest
  })
}

/** "pod default/a, deployment default/web and 3 more" */
export function usersText(users: ImageUser[]): string {
  const names = [...new Set(users.map((u) => u.who))]
  const shown = names.slice(0, 3).join(', ')
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown
}
