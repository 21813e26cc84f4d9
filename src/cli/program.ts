// The CLI's entry: `runCli(argv, io)` parses argv with commander (global flags -n, -A,
// --kubeconfig, --context anywhere on the line), runs the verb, prints a failure as kubectl
// would and answers the exit code (0 done, 1 failed). `shoal __complete WORD…` serves completion.
import { Command, CommanderError } from 'commander'
import { clusterCommands } from './commands-cluster.ts'
import { imageCommands } from './commands-images.ts'
import { objectCommands, type Run } from './commands-objects.ts'
import { complete } from './completion.ts'
import { makeCtx, type Ctx, type Globals, type Io } from './context.ts'
import { CliError } from './errors.ts'
import { loadKubeconfig } from './kubeconfig.ts'
import { resourcePath, resourceType } from './resources.ts'
import type { Wire } from './client.ts'

function build(io: Io, version: string, result: { code: number; ctx?: Ctx }): Command {
  const program = new Command('shoal')
    .usage('<verb> [args] [flags]')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showSuggestionAfterError()
    .option('-n, --namespace <ns>', 'the namespace (default: the context\'s, else "default")')
    .option('-A, --all-namespaces', 'across all namespaces')
    .option(
      '--kubeconfig <path>',
      'the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)',
    )
    .option('--context <name>', 'the kubeconfig context to use')
  const run: Run = async (cmd, verb) => {
    const g = cmd.optsWithGlobals() as Globals & Record<string, unknown>
    const ctx = makeCtx(io, {
      namespace: g.namespace,
      allNamespaces: g.allNamespaces,
      kubeconfig: g.kubeconfig,
      context: g.context,
    })
    result.ctx = ctx
    result.code = await verb(ctx, g)
  }
  objectCommands(program, run)
  clusterCommands(program, run, version)
  imageCommands(program, run)
  return program
}

function flagsOf(program: Command, path: string[]): string[] {
  let cmd: Command | undefined = program
  for (const p of path) cmd = cmd?.commands.find((c) => c.name() === p || c.aliases().includes(p))
  const own = cmd && cmd !== program ? cmd.options : []
  return [...own, ...program.options].flatMap((o) =>
    [o.long, o.short].filter((f): f is string => !!f),
  )
}

async function completeWords(io: Io, program: Command, words: string[]): Promise<number> {
  const globals: Globals = {}
  const at = (flag: string) => words[words.indexOf(flag) + 1]
  if (words.includes('--kubeconfig')) globals.kubeconfig = at('--kubeconfig')
  if (words.includes('--context')) globals.context = at('--context')
  if (words.includes('-n')) globals.namespace = at('-n')
  const ctx = makeCtx(io, globals)
  const names = async (type: string) => {
    try {
      const info = resourceType(type)
      const list = await Promise.race([
        ctx
          .client()
          .request(
            resourcePath(info, { namespace: info.namespaced ? ctx.namespace() : undefined }),
          ),
        new Promise((_, reject) => setTimeout(() => reject(new Error('slow')), 1500).unref()),
      ])
      return ((list as Wire).items ?? []).map((i: Wire) => i.metadata.name as string)
    } catch {
      return []
    }
  }
  const contexts = () => {
    try {
      return [...loadKubeconfig({ kubeconfig: globals.kubeconfig, env: io.env }).contexts.keys()]
    } catch {
      return []
    }
  }
  const out = await complete(words, { flags: (p) => flagsOf(program, p), names, contexts })
  io.out(out.map((w) => w + '\n').join(''))
  await ctx.close()
  return 0
}

export async function runCli(argv: string[], io: Io, o: { version: string }): Promise<number> {
  const result: { code: number; ctx?: Ctx } = { code: 0 }
  const program = build(io, o.version, result)
  try {
    if (argv[0] === '__complete') return await completeWords(io, program, argv.slice(1))
    await program.parseAsync(argv, { from: 'user' })
    return result.code
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode
    if (err instanceof CliError) {
      io.err(err.message + '\n')
      return err.exitCode
    }
    io.err(`error: ${(err as Error).message}\n`)
    return 1
  } finally {
    await result.ctx?.close()
  }
}
