// shoal edit TYPE NAME: the object as YAML in $KUBE_EDITOR / $EDITOR (vi), then a merge patch of
// what changed (nothing changed: "Edit cancelled, no changes made."). A refused change leaves the
// edited copy in a temporary file and says where, as kubectl does.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse, stringify } from 'yaml'
import type { Ctx } from '../context.ts'
import { ApiError, CliError, usageError } from '../errors.ts'
import { objectName, parseTargets, resourcePath } from '../resources.ts'
import { threeWayPatch } from './object-diff.ts'
import type { Wire } from '../client.ts'

export async function edit(ctx: Ctx, args: string[]): Promise<number> {
  const t = parseTargets(args)
  if (t.length !== 1 || t[0].names.length !== 1)
    throw usageError('edit takes one object: TYPE NAME or TYPE/NAME')
  const { info, names } = t[0]
  const path = resourcePath(info, { namespace: ctx.namespace(), name: names[0] })
  const live = await ctx.client().request(path)
  const dir = mkdtempSync(join(tmpdir(), 'shoal-edit-'))
  const file = join(dir, `${info.resource}-${names[0]}.yaml`)
  const before = stringify(live)
  writeFileSync(file, before)
  const editor = ctx.io.env.KUBE_EDITOR || ctx.io.env.EDITOR || 'vi'
  const r = spawnSync(`${editor} "${file}"`, { stdio: 'inherit', shell: true, env: ctx.io.env })
  if (r.status !== 0) throw new CliError(`error: there was a problem with the editor "${editor}"`)
  const text = readFileSync(file, 'utf8')
  if (text === before) {
    ctx.io.out('Edit cancelled, no changes made.\n')
    return 0
  }
  let edited: Wire
  try {
    edited = parse(text)
  } catch (err) {
    throw usageError(
      `the edited file is not valid YAML (kept in ${file}): ${(err as Error).message}`,
    )
  }
  const patch = threeWayPatch(live, edited, live)
  if (!patch) {
    ctx.io.out('Edit cancelled, no changes made.\n')
    return 0
  }
  try {
    await ctx.client().request(path, {
      method: 'PATCH',
      body: patch,
      contentType: 'application/merge-patch+json',
      query: { fieldManager: 'kubectl-edit' },
    })
  } catch (err) {
    if (err instanceof ApiError)
      throw new CliError(`${err.message}\nA copy of your changes has been stored to "${file}"`)
    throw err
  }
  ctx.io.out(`${objectName(info, names[0])} edited\n`)
  return 0
}
