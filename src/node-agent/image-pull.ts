// The agent's client of the plane's registry for images (adapter over fetch and core's
// pullBlob): a component's digest → the registry's prepared image of it
// (GET <plane>/images/prepared/<digest>), then that file pulled by its own digest from
// <plane>/images/prepared/blobs/ — resumed after an interruption, verified before it is kept.
// Refusals come back as errors naming the image and what the registry said.
import { ShoalError, pullBlob } from '../core/index.ts'

export interface ImagePullOptions {
  /** the plane's API, e.g. https://plane:6443 */
  plane: string
  token: string
  fetch: typeof fetch
  /** wait before a second attempt of an interrupted pull (doubled after) */
  retryDelayMs: number
}

export function imagePull(o: ImagePullOptions) {
  const headers = { authorization: `Bearer ${o.token}` }
  return {
    async lookup(component: string): Promise<{ digest: string }> {
      const res = await o.fetch(`${o.plane}/images/prepared/${component}`, { headers })
      if (res.ok) return (await res.json()) as { digest: string }
      const text = await res.text().catch(() => '')
      let said = text.slice(0, 300)
      try {
        said = String((JSON.parse(text) as { message?: string }).message ?? said)
      } catch {
        // not JSON: the text as it came
      }
      throw new ShoalError(
        res.status === 404 ? 'NotFound' : res.status >= 500 ? 'Unavailable' : 'Invalid',
        `agent: the plane has no prepared image of ${component} (HTTP ${res.status}: ${said})`,
      )
    },
    async pull(digest: string, dest: string): Promise<void> {
      await pullBlob({
        baseUrl: `${o.plane}/images/prepared`,
        ...{ digest, dest, headers, fetch: o.fetch },
        attempts: 3,
        retryDelayMs: o.retryDelayMs,
      })
    },
  }
}
