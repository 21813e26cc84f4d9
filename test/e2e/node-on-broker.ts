// One node's agent, as a child process, beside a plane and an external broker — and what the
// broker e2e files (broker-kill, broker-client-cert) ask of them: its pods through the plane's API,
// waits that print the three processes' last output when they time out.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { meshTestArgs, type planeCaller } from './plane-process.ts'

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url))

interface Watched {
  output(): string
}

export function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill(signal)
  })
}

export function nodeOnBroker(o: {
  agentDir: string
  https: ReturnType<typeof planeCaller>
  plane: () => Watched | undefined
  broker: () => Watched | undefined
}) {
  let agent: { child: ChildProcess; output(): string } | undefined

  async function getPod(name: string): Promise<any> {
    const r = await o.https('GET', `/api/v1/namespaces/default/pods/${name}`)
    return r.status === 200 ? JSON.parse(r.text) : undefined
  }

  async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined) {
    const end = Date.now() + 90_000
    for (;;) {
      const v = await Promise.resolve()
        .then(fn)
        .catch(() => undefined)
      if (v !== undefined && v !== false) return v
      if (Date.now() > end)
        throw new Error(
          `timed out waiting for ${what}\nagent:\n${agent?.output().slice(-3000)}\nplane:\n${o.plane()?.output().slice(-2000)}\nmosquitto:\n${o.broker()?.output().slice(-1000)}`,
        )
      await new Promise((r) => setTimeout(r, 250))
    }
  }

  return {
    get agent() {
      return agent
    },
    getPod,
    waitFor,
    startAgent(args: string[]) {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', main, 'agent', '--data-dir', o.agentDir, ...meshTestArgs(), ...args],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      )
      let out = ''
      child.stdout!.on('data', (d) => (out += d))
      child.stderr!.on('data', (d) => (out += d))
      agent = { child, output: () => out }
    },
    /** a hello-http pod bound to pi-1 */
    createPod: (name: string) =>
      o.https(
        'POST',
        '/api/v1/namespaces/default/pods',
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name },
          spec: {
            nodeName: 'pi-1',
            containers: [{ name: 'main', image: 'hello-http:1', ports: [{ containerPort: 8080 }] }],
          },
        }),
      ),
    running: (name: string) => async () => {
      const p = await getPod(name)
      return p?.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready
        ? p
        : undefined
    },
  }
}
