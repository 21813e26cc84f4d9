// A real Mosquitto for tests: its own instance on a free 127.0.0.1 port with the config
// `shoal broker-config` writes (never the system service). CI installs it (.ci/run); without it
// the test fails and says how to get it.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { freePort } from '../e2e/plane-process.ts'
import { readBrokerLogin, writeBrokerConfig } from '../../src/plane/broker-config.ts'

export const MOSQUITTO = process.env.MOSQUITTO ?? '/usr/sbin/mosquitto'

export interface Mosquitto {
  port: number
  /** mqtts://127.0.0.1:<port> */
  url: string
  /** the plane's CA, which signed the broker's certificate */
  ca: string
  /** the URL with a username in it (another plane's login: shoal-plane-2, …) */
  urlAs(user: string): string
  /** the plane's login, as broker.json holds it */
  login: { username: string; password: string; passwordFile: string }
  output(): string
  /** kill -9 */
  kill(): Promise<void>
  /** start again on the same port with the same files */
  start(): Promise<void>
  /** re-read the password file (SIGHUP) */
  reload(): void
  stop(): Promise<void>
}

/** writes the config for the plane's data dir `dataDir` and starts Mosquitto on it; `planes`:
 * logins for that many planes (shoal-plane, shoal-plane-2, …: urlAs gives each one's URL) */
export async function startMosquitto(
  dataDir: string,
  o: { planes?: number } = {},
): Promise<Mosquitto> {
  if (!existsSync(MOSQUITTO))
    throw new Error(
      `${MOSQUITTO} is missing: these tests need Mosquitto 2 (apt-get install mosquitto; .ci/run installs it)`,
    )
  const port = await freePort()
  const { conf, url } = writeBrokerConfig({
    dataDir,
    listen: { host: '127.0.0.1', port },
    tls: true,
    planes: o.planes,
  })
  const login = readBrokerLogin(dataDir)!
  return {
    port,
    url,
    urlAs: (user) => url.replace('://', `://${encodeURIComponent(user)}@`),
    ca: readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8'),
    login: { ...login, passwordFile: login.passwordFile! },
    ...(await runMosquitto(conf, [port])),
  }
}

export type MosquittoProcess = Pick<Mosquitto, 'output' | 'kill' | 'start' | 'reload' | 'stop'>

/** Mosquitto on any config file, started once it listens on every port of `ports` */
export async function runMosquitto(conf: string, ports: number[]): Promise<MosquittoProcess> {
  let child: ChildProcess | undefined
  let out = ''
  const start = async () => {
    child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout!.on('data', (d) => (out += d))
    child.stderr!.on('data', (d) => (out += d))
    for (const port of ports)
      await listening(
        port,
        () => child?.exitCode ?? null,
        () => out,
      )
  }
  const exited = () =>
    new Promise<void>((resolve) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return resolve()
      child.once('exit', () => resolve())
    })
  await start()
  return {
    output: () => out,
    kill: async () => {
      child?.kill('SIGKILL')
      await exited()
    },
    start,
    reload: () => child?.kill('SIGHUP'),
    stop: async () => {
      child?.kill('SIGTERM')
      await exited()
    },
  }
}

async function listening(port: number, exitCode: () => number | null, out: () => string) {
  for (let i = 0; i < 200; i++) {
    if (exitCode() !== null) throw new Error(`mosquitto exited with ${exitCode()}:\n${out()}`)
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy()
        resolve(true)
      })
      s.on('error', () => resolve(false))
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`mosquitto did not listen on ${port} in 10 s:\n${out()}`)
}
