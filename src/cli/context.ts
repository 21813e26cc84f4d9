// What every verb is handed: where its output goes (stdout, stderr, stdin: the process's, or a
// test's buffers), the global flags, and the connection to the plane, opened on first use.
import { connect, type Client } from './client.ts'

export interface Io {
  out(text: string): void
  err(text: string): void
  /** all of stdin (apply -f -) */
  stdin(): Promise<string>
  env: NodeJS.ProcessEnv
  /** stderr is a terminal (progress bars redraw in place) */
  errTty?: boolean
  /** aborted on Ctrl-C or by a test: ends watches and follows */
  signal?: AbortSignal
}

export interface Globals {
  namespace?: string
  allNamespaces?: boolean
  kubeconfig?: string
  context?: string
}

export interface Ctx {
  io: Io
  globals: Globals
  client(): Client
  /** -n, else the context's namespace, else default */
  namespace(): string
  close(): Promise<void>
}

export function makeCtx(io: Io, globals: Globals): Ctx {
  let client: Client | undefined
  const open = () =>
    (client ??= connect({
      kubeconfig: globals.kubeconfig,
      context: globals.context,
      namespace: globals.namespace,
      env: io.env,
    }))
  return {
    io,
    globals,
    client: open,
    namespace: () => open().namespace,
    close: async () => {
      await client?.close()
    },
  }
}

export function processIo(): Io {
  const ac = new AbortController()
  process.once('SIGINT', () => {
    ac.abort() // a watch or a follow ends at once, exit 0 as kubectl's
    setTimeout(() => process.exit(130), 500).unref() // anything else: stopped, as by default
  })
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    stdin: async () => {
      const chunks: Buffer[] = []
      for await (const c of process.stdin) chunks.push(c as Buffer)
      return Buffer.concat(chunks).toString('utf8')
    },
    env: process.env,
    errTty: process.stderr.isTTY === true,
    signal: ac.signal,
  }
}
