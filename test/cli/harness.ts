// The CLI suites' shared parts: runCli with captured output (the plane runs in the same process,
// so nothing blocks it), a kubeconfig for a plain-HTTP plane, and `shoal` as a child process.
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, type Io } from '../../src/cli/index.ts'

export interface Ran {
  code: number
  out: string
  err: string
}

/** runCli with its output captured; `o.signal` ends a watch, `o.seen` sees the output so far */
export function cli(env: NodeJS.ProcessEnv) {
  return async (
    argv: string[],
    stdin = '',
    o: { signal?: AbortSignal; seen?: (out: string) => void } = {},
  ): Promise<Ran> => {
    let out = ''
    let err = ''
    const io: Io = {
      out: (t) => {
        out += t
        o.seen?.(out)
      },
      err: (t) => void (err += t),
      stdin: async () => stdin,
      env,
      signal: o.signal,
    }
    const code = await runCli(argv, io, { version: '0.1.0' })
    return { code, out, err }
  }
}

export function writePlainKubeconfig(path: string, url: string, ns = 'default'): void {
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
clusters: [{name: p, cluster: {server: "${url}"}}]
users: [{name: u, user: {}}]
contexts: [{name: c, context: {cluster: p, user: u, namespace: ${ns}}}]
current-context: c
`,
  )
}

const root = new URL('../..', import.meta.url).pathname

/** `node --import tsx src/main.ts ARGS` */
export function shoalProcess(args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/main.ts'), ...args], {
      cwd: root,
      env,
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }))
    child.stdin.end(stdin ?? '')
  })
}

/** a table with its ages (5s, 3m2s) made alike: two reads are never at the same instant */
export const withoutAges = (t: string) => t.replace(/\s+\d+[smhd]\d*[smh]?\b/g, ' AGE')
