// The namespaces the plane creates at start (plane.ts) and never lets go. Kubernetes' namespace
// lifecycle admission refuses to delete default, kube-system and kube-public with a 403; the
// plane also creates kube-node-lease, so it is kept the same way.
import type { ResourceInfo } from '../../api/index.ts'
import { ApiError } from './status.ts'

export const BUILTIN_NAMESPACES: readonly string[] = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
]

/** throws Forbidden, as kube-apiserver answers, before anything in the namespace is touched */
export function checkDeletable(info: ResourceInfo, name: string): void {
  if (info.kind !== 'Namespace' || !BUILTIN_NAMESPACES.includes(name)) return
  throw new ApiError(
    'Forbidden',
    `namespaces "${name}" is forbidden: this namespace may not be deleted`,
    { name, kind: 'namespaces' },
  )
}
