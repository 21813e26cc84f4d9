// The verbs on objects, as commander commands: get, describe, apply, create, delete, edit,
// logs, scale, label, annotate, rollout. Each action hands its arguments to a verb in verbs/.
import type { Command } from 'commander'
import type { Ctx } from './context.ts'
import { usageError } from './errors.ts'
import { apply, create } from './verbs/apply.ts'
import { del } from './verbs/delete.ts'
import { describe } from './verbs/describe.ts'
import { edit } from './verbs/edit.ts'
import { get } from './verbs/get.ts'
import { logs } from './verbs/logs.ts'
import { scale, setMetadata } from './verbs/metadata.ts'
import {
  rolloutHistory,
  rolloutPause,
  rolloutRestart,
  rolloutStatus,
  rolloutUndo,
} from './verbs/rollout.ts'
import type { Wire } from './client.ts'

/** runs a verb with the context of the command it was given to */
export type Run = (
  cmd: Command,
  verb: (ctx: Ctx, opts: Wire) => Promise<number> | number,
) => Promise<void>

const collect = (v: string, prev: string[] = []) => [...prev, v]
const files = (c: Command, what: string) =>
  c
    .option('-f, --filename <path>', `file, folder or - (stdin) ${what} (repeatable)`, collect)
    .option('-R, --recursive', 'also the folders inside -f folders')
const selector = (c: Command) =>
  c.option('-l, --selector <sel>', "label selector, e.g. 'app=web,tier!=db'")
const dryRun = (c: Command) =>
  c.option('--dry-run <how>', 'none, client or server: show what would happen, change nothing')

export function objectCommands(program: Command, run: Run): void {
  const getCmd = program
    .command('get')
    .description('list objects, or show some: TYPE[,TYPE] [NAME...] | TYPE/NAME...')
    .argument('<args...>')
    .option('-o, --output <format>', 'wide, json, yaml, name or jsonpath=TEMPLATE')
    .option('--field-selector <sel>', "field selector, e.g. 'status.phase=Running'")
    .option('-w, --watch', 'after listing, print changes as they happen')
    .option('--show-labels', 'a LABELS column')
    .option('--no-headers', 'no header line')
  selector(getCmd).action((args, _o, cmd) =>
    run(cmd, (ctx, o) => get(ctx, args, { ...o, noHeaders: o.headers === false })),
  )

  selector(
    program
      .command('describe')
      .description('an object in detail, with its events')
      .argument('<args...>'),
  ).action((args, _o, cmd) => run(cmd, (ctx, o) => describe(ctx, args, o)))

  const applyCmd = files(
    program.command('apply').description('create or update objects from manifests'),
    'to apply',
  )
    .option('--prune', 'delete objects applied before that the manifests no longer hold (needs -l)')
    .option('-o, --output <format>', 'name')
  dryRun(selector(applyCmd)).action((_o, cmd) =>
    run(cmd, (ctx, o) => {
      if (o.prune && !o.selector)
        throw usageError(
          'all resources selected for prune without explicitly passing --all. To prune all resources, pass the --all flag. If you did not mean to prune all resources, specify a label selector',
        )
      return apply(ctx, o)
    }),
  )

  dryRun(
    files(program.command('create').description('create objects from manifests'), 'to create'),
  ).action((_o, cmd) => run(cmd, (ctx, o) => create(ctx, o)))

  const deleteCmd = files(
    program.command('delete').description('delete objects').argument('[args...]'),
    'to delete',
  )
    .option('--all', 'every object of the type in the namespace')
    .option('--ignore-not-found', 'no error for objects that do not exist')
    .option('--wait', 'wait until the objects are gone')
    .option('--cascade <how>', 'background (default), foreground or orphan')
    .option('--grace-period <seconds>', 'seconds the pods are given to stop')
  dryRun(selector(deleteCmd)).action((args, _o, cmd) => run(cmd, (ctx, o) => del(ctx, args, o)))

  program
    .command('edit')
    .description('edit an object in $KUBE_EDITOR or $EDITOR')
    .argument('<args...>')
    .action((args, _o, cmd) => run(cmd, (ctx) => edit(ctx, args)))

  program
    .command('logs')
    .description("a pod's log: POD or TYPE/NAME")
    .argument('<args...>')
    .option('-c, --container <name>', 'the container')
    .option('-f, --follow', 'keep printing as the log grows')
    .option('--tail <lines>', 'the last LINES lines only')
    .option('-p, --previous', "the previous instance's log")
    .option('--timestamps', 'each line with its time')
    .option('--since-seconds <s>', 'only lines newer than this')
    .action((args, _o, cmd) => run(cmd, (ctx, o) => logs(ctx, args, o)))

  program
    .command('scale')
    .description('set the replicas: TYPE NAME | TYPE/NAME --replicas=N')
    .argument('<args...>')
    .option('--replicas <n>', 'the number of replicas')
    .option('--current-replicas <n>', 'only if the replicas are this now')
    .action((args, _o, cmd) => run(cmd, (ctx, o) => scale(ctx, args, o)))

  for (const [name, field] of [
    ['label', 'labels'],
    ['annotate', 'annotations'],
  ] as const) {
    const c = program
      .command(name)
      .description(`set or remove ${field}: TYPE NAME key=value key-`)
      .argument('<args...>')
      .option('--overwrite', 'change a key that has another value')
      .option('--all', 'every object of the type in the namespace')
    selector(c).action((args, _o, cmd) => run(cmd, (ctx, o) => setMetadata(ctx, field, args, o)))
  }

  const rollout = program
    .command('rollout')
    .description('status | history | undo | restart | pause | resume of a Deployment')
  rollout
    .command('status')
    .argument('<args...>')
    .option('--timeout <duration>', 'give up after this long (0: never)')
    .option('-w, --watch <bool>', 'false: print the status once', 'true')
    .action((args, _o, cmd) =>
      run(cmd, (ctx, o) => rolloutStatus(ctx, args, { ...o, watch: o.watch !== 'false' })),
    )
  rollout
    .command('history')
    .argument('<args...>')
    .option('--revision <n>', "that revision's pod template (default: every revision)")
    .action((args, _o, cmd) => run(cmd, (ctx, o) => rolloutHistory(ctx, args, o)))
  rollout
    .command('undo')
    .argument('<args...>')
    .option('--to-revision <n>', 'the revision to go back to (default: the one before)')
    .action((args, _o, cmd) => run(cmd, (ctx, o) => rolloutUndo(ctx, args, o)))
  for (const [verb, pause] of [
    ['pause', true],
    ['resume', false],
  ] as const)
    rollout
      .command(verb)
      .argument('<args...>')
      .action((args, _o, cmd) => run(cmd, (ctx) => rolloutPause(ctx, args, pause)))
  rollout
    .command('restart')
    .argument('<args...>')
    .action((args, _o, cmd) => run(cmd, (ctx) => rolloutRestart(ctx, args)))
}
