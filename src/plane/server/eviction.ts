// POST pods/NAME/eviction (policy/v1 Eviction, also policy/v1beta1): what kubectl drain sends.
// Shoal has no PodDisruptionBudgets, so no budget can refuse one (no 429): an eviction is the
// graceful delete of the pod, with the Eviction's deleteOptions (grace period, preconditions,
// dryRun), answered 201 with a Success Status as kube-apiserver answers it.
import { BadRequestError } from '../../core/index.ts'
import { parseDeleteOptions, type DeleteOptions } from './delete-ops.ts'

const versions = new Set(['policy/v1', 'policy/v1beta1'])

/** the delete options of an Eviction for the pod `name`, or a BadRequest naming what is wrong */
export function parseEviction(body: unknown, name: string, query: URLSearchParams): DeleteOptions {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new BadRequestError('pods/eviction: the body must be an Eviction object')
  const e = body as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } }
  if (e.kind !== 'Eviction' || !versions.has(String(e.apiVersion)))
    throw new BadRequestError(
      `pods/eviction: the body must be a policy/v1 Eviction, not ${JSON.stringify(e.apiVersion)} ${JSON.stringify(e.kind)}`,
    )
  const named = e.metadata?.name
  if (named !== undefined && named !== name)
    throw new BadRequestError(
      `name in URL does not match name in Eviction object: ${JSON.stringify(name)} ≠ ${JSON.stringify(named)}`,
    )
  return parseDeleteOptions((body as { deleteOptions?: unknown }).deleteOptions, query)
}
