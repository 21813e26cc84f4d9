// The verbs on nodes and the cluster, and the client's own: cordon, uncordon, drain, top,
// events, explain, version, config, completion.
import type { Command } from 'commander'
import type { Run } from './commands-objects.ts'
import { completionScript } from './completion.ts'
import { usageError } from './errors.ts'
import { events, top, version } from './verbs/cluster-info.ts'
import * as config from './verbs/config.ts'
import { explain } from './verbs/explain.ts'
import { cordon, drain } from './verbs/nodes.ts'

export function clusterCommands(program: Command, run: Run, shoalVersion: string): void {
  program
    .command('cordon')
    .argument('<nodes...>')
    .description('mark nodes unschedulable')
    .action((n, _o, cmd) => run(cmd, (ctx) => cordon(ctx, n, true)))
  program
    .command('uncordon')
    .argument('<nodes...>')
    .description('mark nodes schedulable')
    .action((n, _o, cmd) => run(cmd, (ctx) => cordon(ctx, n, false)))
  program
    .command('drain')
    .argument('<nodes...>')
    .description('cordon nodes and evict their pods')
    .option('--ignore-daemonsets', 'leave DaemonSet pods (they would come back at once)')
    .option('--force', 'also pods no controller owns (they are gone for good)')
    .option('--delete-emptydir-data', 'also pods with emptyDir volumes')
    .option('--grace-period <seconds>', 'seconds each pod is given to stop')
    .action((n, _o, cmd) => run(cmd, (ctx, o) => drain(ctx, n, o)))
  program
    .command('top')
    .argument('<what>', 'nodes or pods')
    .description('cpu and memory use (metrics.k8s.io)')
    .option('-l, --selector <sel>', 'label selector')
    .action((what, _o, cmd) => run(cmd, (ctx, o) => top(ctx, what, o)))
  program
    .command('events')
    .description('events, oldest first')
    .option('--for <object>', 'only the events of TYPE/NAME')
    .option('--types <types>', 'only these types, e.g. Warning,Normal')
    .action((_o, cmd) => run(cmd, (ctx, o) => events(ctx, o)))
  program
    .command('explain')
    .argument('<type>', 'TYPE or TYPE.field.path')
    .description("a kind's fields")
    .option('--recursive', 'every field below, by name and type')
    .action((t, _o, cmd) => run(cmd, (ctx, o) => explain(ctx, [t], o)))
  program
    .command('version')
    .description("the client's and the server's version")
    .option('--client', "the client's only")
    .option('--server', 'ask the server too (the default)')
    .option('-o, --output <format>', 'json or yaml')
    .action((_o, cmd) => run(cmd, (ctx, o) => version(ctx, shoalVersion, o)))
  program
    .command('completion')
    .argument('<shell>', 'bash or zsh')
    .description('shell completion script: source <(shoal completion bash)')
    .action((shell, _o, cmd) =>
      run(cmd, (ctx) => {
        if (shell !== 'bash' && shell !== 'zsh')
          throw usageError(`unsupported shell type "${shell}": bash or zsh`)
        ctx.io.out(completionScript(shell))
        return 0
      }),
    )
  configCommands(
    program
      .command('config')
      .description('contexts in the kubeconfig (kubectl reads the same file)'),
    run,
  )
}

function configCommands(c: Command, run: Run): void {
  c.command('get-contexts')
    .argument('[names...]')
    .option('-o, --output <format>', 'name')
    .option('--no-headers', 'no header line')
    .action((names, _o, cmd) =>
      run(cmd, (ctx, o) =>
        config.getContexts(ctx, names, { ...o, noHeaders: o.headers === false }),
      ),
    )
  c.command('current-context').action((_o, cmd) => run(cmd, (ctx) => config.currentContext(ctx)))
  c.command('use-context')
    .alias('use')
    .argument('<name>')
    .action((n, _o, cmd) => run(cmd, (ctx) => config.useContext(ctx, n)))
  c.command('set-context')
    .argument('[name]')
    .option('--current', 'the current context')
    .option('--cluster <name>')
    .option('--user <name>')
    .action((n, _o, cmd) =>
      run(cmd, (ctx, o) => config.setContext(ctx, n, { ...o, namespace: ctx.globals.namespace })),
    )
  c.command('set-cluster')
    .argument('<name>')
    .option('--server <url>')
    .option('--certificate-authority <path>')
    .option('--embed-certs', 'put the files in the kubeconfig, not their paths')
    .option('--insecure-skip-tls-verify <bool>')
    .option('--tls-server-name <name>')
    .action((n, _o, cmd) => run(cmd, (ctx, o) => config.setCluster(ctx, n, o)))
  c.command('set-credentials')
    .argument('<name>')
    .option('--token <token>')
    .option('--client-certificate <path>')
    .option('--client-key <path>')
    .option('--embed-certs', 'put the files in the kubeconfig, not their paths')
    .option('--username <name>')
    .option('--password <password>')
    .action((n, _o, cmd) => run(cmd, (ctx, o) => config.setCredentials(ctx, n, o)))
  for (const [verb, s] of [
    ['delete-context', 'contexts'],
    ['delete-cluster', 'clusters'],
    ['delete-user', 'users'],
  ] as const)
    c.command(verb)
      .argument('<name>')
      .action((n, _o, cmd) => run(cmd, (ctx) => config.deleteEntry(ctx, s, n)))
  c.command('view')
    .option('--minify', "the current context's entries only")
    .option('--raw', 'secrets as they are, not redacted')
    .option('-o, --output <format>', 'yaml (default) or json')
    .action((_o, cmd) => run(cmd, (ctx, o) => config.view(ctx, o)))
}
