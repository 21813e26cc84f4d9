// Starts a real `shoal plane` process for end-to-end tests and stops it again; and what the
// e2e tests share to drive it: HTTPS with a token, pushing a sample image, an instance's URL.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { request } from 'node:https'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Agent as HttpAgent, request as httpRequest } from 'node:http'

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url))

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

export interface PlaneProcess {
  url: string
  child: ChildProcess
  output(): string
  stop(): Promise<number | null>
}

export async function startPlane(
  dataDir: string,
  opts: {
    insecureHttp?: boolean
    port?: number
    mqttPort?: number
    /** an external broker (--mqtt URL) instead of the embedded one */
    mqtt?: string
    /** node arguments that start shoal; default src/main.ts under tsx */
    shoal?: string[]
    /** more `shoal plane` arguments */
    args?: string[]
  } = {},
): Promise<PlaneProcess> {
  const port = opts.port ?? (await freePort())
  const args = [
    ...(opts.shoal ?? ['--import', 'tsx', main]),
    'plane',
    '--data-dir',
    dataDir,
    '--listen',
    `127.0.0.1:${port}`,
    ...(opts.mqtt ? ['--mqtt', opts.mqtt] : ['--mqtt-listen', `127.0.0.1:${opts.mqttPort ?? 0}`]),
  ]
  if (opts.insecureHttp) args.push('--insecure-http')
  if (opts.args) args.push(...opts.args)
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`plane did not start in 30 s:\n${out}`)), 30_000)
    child.on('exit', (code) => reject(new Error(`plane exited with ${code}:\n${out}`)))
    child.stdout!.on('data', () => {
      const m = /shoal plane: serving (\S+)/.exec(out)
      if (m) {
        clearTimeout(t)
        resolve(m[1])
      }
    })
  })
  return {
    url,
    child,
    output: () => out,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode)
        child.once('exit', (code) => resolve(code))
        child.kill('SIGTERM')
      }),
  }
}

export interface Answer {
  status: number
  text: string
}

/** HTTPS to a plane with a bearer token: call(method, path, body?) → status and text */
export function planeCaller(plane: () => { url: string; ca: string; token: string }) {
  return (method: string, path: string, body?: Uint8Array | string, token?: string) =>
    new Promise<Answer>((resolve, reject) => {
      const p = plane()
      const req = request(`${p.url}${path}`, {
        method,
        ca: p.ca,
        headers: {
          authorization: `Bearer ${token ?? p.token}`,
          'content-type': 'application/json',
        },
      })
      req.on('response', (res) => {
        let text = ''
        res.on('data', (d) => (text += d))
        res.on('end', () => resolve({ status: res.statusCode!, text }))
      })
      req.on('error', reject)
      req.end(body)
    })
}

const build = fileURLToPath(new URL('../../firmware-images/.build', import.meta.url))

/** a sample image from firmware-images/.build pushed to the plane's registry as <app>:<tag> */
export async function pushImage(
  call: ReturnType<typeof planeCaller>,
  app: string,
  tag = '1',
): Promise<void> {
  const meta = JSON.parse(readFileSync(join(build, `${app}.json`), 'utf8')) as { digest: string }
  const blob = await call(
    'PUT',
    `/images/blobs/${meta.digest}`,
    readFileSync(join(build, `${app}.wasm`)),
  )
  if (blob.status >= 300) throw new Error(`push ${app}: ${blob.status} ${blob.text}`)
  const t = await call('PUT', `/images/tags/${app}/${tag}`, JSON.stringify({ digest: meta.digest }))
  if (t.status >= 300) throw new Error(`tag ${app}:${tag}: ${t.status} ${t.text}`)
}

/** the loopback URL an agent's output logged for the pod's newest instance */
export function instanceUrl(output: string, pod: string): string | undefined {
  const lines = output
    .split('\n')
    .filter((l) => l.includes('started a container') && l.includes(`default/${pod}`))
  return /"url":"([^"]+)"/.exec(lines.at(-1) ?? '')?.[1]
}

/** `shoal agent` flags for a test: every mesh listener on any free port at `address` (a
 * loopback address of its own per agent lets NodePorts bind the same port on each) */
export const meshTestArgs = (address = '127.0.0.1'): string[] => [
  ...['--mesh-port', '0', '--mesh-local-port', '0', '--mesh-public', `${address}:0`],
  ...['--node-port-address', address, '--metrics', `${address}:0`],
]

/** the ports an agent's mesh bound, from its last "running" line (a restarted agent's output
 * holds one a start): { local, public, tls, metrics } */
export function meshPortsOf(output: string): Record<string, number> | undefined {
  const m = [...output.matchAll(/shoal agent: node \S+ running \(.*; ports: ([^)]*)\)/g)].at(-1)
  if (!m) return undefined
  const ports: Record<string, number> = {}
  for (const part of m[1]!.split(', ').filter(Boolean)) {
    const [k, v] = part.split(' ')
    ports[k!] = Number(v)
  }
  return ports
}

/** an answer through a mesh: status, the x-shoal-node / x-shoal-pod headers, the body */
export interface MeshAnswer {
  status: number
  node?: string
  pod?: string
  body: string
}

/** GET through a mesh listener with `hostHeader` naming the Service, over `agent`'s sockets */
export function meshGet(
  host: string,
  port: number,
  hostHeader: string,
  path: string,
  agent: HttpAgent,
): Promise<MeshAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host, port, path, agent, headers: { host: hostHeader } })
    req.setTimeout(20_000, () => req.destroy(new Error('client timeout')))
    req.on('error', reject)
    req.on('response', (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (body += d))
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          node: res.headers['x-shoal-node'] as string | undefined,
          pod: res.headers['x-shoal-pod'] as string | undefined,
          body,
        }),
      )
    })
    req.end()
  })
}
