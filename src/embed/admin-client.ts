// HTTPS to a plane as its admin: the CA and the bearer token of <dataDir>/admin.kubeconfig (the
// plane writes it at start). What an embedding program (and `shoal up`) needs to push images and
// apply objects without a kubeconfig library: request(), pushImage().
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { UnavailableError } from '../core/index.ts'

export interface Answer {
  status: number
  text: string
  /** the body parsed as JSON (undefined when it is not JSON) */
  body: any // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface AdminClient {
  /** one request to the API; a JSON body is sent as JSON, bytes as they are */
  request(method: string, path: string, body?: unknown): Promise<Answer>
  /** uploads a component (unless the registry holds it) and points name:tag at it; its digest */
  pushImage(name: string, tag: string, bytes: Uint8Array): Promise<string>
}

interface KubeconfigJson {
  clusters?: { cluster?: { server?: string; 'certificate-authority-data'?: string } }[]
  users?: { user?: { token?: string } }[]
}

/** the server, CA and token of an admin kubeconfig the plane wrote (JSON) */
export function readAdminKubeconfig(path: string): { server: string; ca: string; token: string } {
  const kc = JSON.parse(readFileSync(path, 'utf8')) as KubeconfigJson
  const cluster = kc.clusters?.[0]?.cluster
  const token = kc.users?.[0]?.user?.token
  if (!cluster?.server || !cluster['certificate-authority-data'] || !token)
    throw new UnavailableError(`embed: ${path} names no server, CA and token`)
  const ca = Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8')
  return { server: cluster.server, ca, token }
}

export function adminClient(o: { url: string; ca: string; token: string }): AdminClient {
  const request = (method: string, path: string, body?: unknown) =>
    new Promise<Answer>((resolve, reject) => {
      const bytes = body instanceof Uint8Array
      const req = httpsRequest(`${o.url}${path}`, {
        method,
        ca: o.ca,
        headers: {
          authorization: `Bearer ${o.token}`,
          'content-type': bytes ? 'application/octet-stream' : 'application/json',
        },
      })
      req.on('response', (res) => {
        const chunks: Buffer[] = []
        res.on('data', (d: Buffer) => chunks.push(d))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({ status: res.statusCode ?? 0, text, body: parseJson(text) })
        })
      })
      req.on('error', reject)
      req.end(body === undefined ? undefined : bytes ? body : JSON.stringify(body))
    })
  return {
    request,
    async pushImage(name, tag, bytes) {
      const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
      const held = await request('HEAD', `/images/blobs/${digest}`)
      if (held.status !== 200) expectOk(await request('PUT', `/images/blobs/${digest}`, bytes))
      expectOk(await request('PUT', `/images/tags/${name}/${tag}`, { digest }))
      return digest
    },
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** the answer, or an error carrying the plane's message */
export function expectOk(answer: Answer): Answer {
  if (answer.status < 300) return answer
  const message = (answer.body as { message?: string } | undefined)?.message ?? answer.text
  throw new UnavailableError(`embed: the plane answered ${answer.status}: ${message}`)
}
