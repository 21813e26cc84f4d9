// What the controller suites share: they run the real plane in their own process (plain HTTP on
// loopback, the agents' part played by writing pod statuses), so kubectl must run without
// blocking the event loop that answers it; and they poll for what the controllers do later.
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { resourceByKind, type Pod } from '../../src/api/index.ts'
import { isShoalError } from '../../src/core/index.ts'
import type { Plane } from '../../src/plane/index.ts'

const run = promisify(execFile)
const PODS = resourceByKind('Pod')!

export interface AsyncKubectl {
  /** the kubeconfig's path (written by writeKubeconfig) */
  kubeconfig: string
  /** a kubeconfig for a plane serving plain HTTP without authentication */
  writeKubeconfig(url: string): void
  /** runs the stock kubectl; rejects with its output when it fails */
  kubectl(...args: string[]): Promise<string>
  /** `kubectl get <args> -o json`, parsed */
  json<T = any>(...args: string[]): Promise<T>
}

/** kubectl against the plane of this process; `kubeconfig`: another file to use (an admin one) */
export function asyncKubectl(dir: string, o: { kubeconfig?: () => string } = {}): AsyncKubectl {
  const own = join(dir, 'kubeconfig')
  const kubeconfig = () => o.kubeconfig?.() ?? own
  const kubectl = async (...args: string[]): Promise<string> => {
    const argv = ['--kubeconfig', kubeconfig(), ...args]
    try {
      return (await run('kubectl', argv, { encoding: 'utf8', timeout: 90_000 })).stdout
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string }
      throw new Error(`kubectl ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`)
    }
  }
  return {
    kubeconfig: own,
    writeKubeconfig(url) {
      writeFileSync(
        own,
        `apiVersion: v1
kind: Config
clusters: [{name: p, cluster: {server: "${url}"}}]
users: [{name: u, user: {}}]
contexts: [{name: c, context: {cluster: p, user: u, namespace: default}}]
current-context: c
`,
      )
    },
    kubectl,
    json: async (...args) => JSON.parse(await kubectl('get', ...args, '-o', 'json')),
  }
}

/**
 * Polls `fn` every `everyMs` until it returns something other than undefined or false, and
 * returns that; throws naming `what` after `ms`. `before`: run ahead of each poll.
 */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  o: { ms?: number; everyMs?: number; before?: () => Promise<void> } = {},
): Promise<T> {
  const end = Date.now() + (o.ms ?? 30_000)
  for (;;) {
    await o.before?.()
    const v = await fn()
    if (v !== undefined && v !== false) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, o.everyMs ?? 100))
  }
}

/** every active pod of `plane` not yet Ready becomes Running and Ready on `node` (the agent's part) */
export async function playReadyPods(plane: Plane, node = 'pi-1'): Promise<void> {
  const { items } = await plane.objects.list(PODS, {})
  for (const p of items as Pod[]) {
    if (p.metadata.deletionTimestamp) continue
    if (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) continue
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z')
    const next: Pod = {
      ...p,
      spec: { ...p.spec, nodeName: node },
      status: {
        ...p.status,
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
      },
    }
    await plane.objects.replace(PODS, p, next).catch((err) => {
      if (!isShoalError(err, 'Conflict') && !isShoalError(err, 'NotFound')) throw err
    })
  }
}
