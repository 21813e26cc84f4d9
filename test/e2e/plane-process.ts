// Starts a real `shoal plane` process for end-to-end tests and stops it again.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

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
        if (child.exitCode !== null) return resolve(child.exitCode)
        child.once('exit', (code) => resolve(code))
        child.kill('SIGTERM')
      }),
  }
}
