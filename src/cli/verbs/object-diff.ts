// The patch client-side apply sends: a JSON merge patch holding what the manifest sets that the
// live object lacks or has otherwise, and a null for each field the last applied configuration
// had and the manifest dropped. A list is compared element by element, the live elements allowed
// to hold more (the server's defaults); a list that differs is sent whole.

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** true when `live` holds everything `want` says (and maybe more: defaults) */
export function holds(live: unknown, want: unknown): boolean {
  if (Array.isArray(want))
    return (
      Array.isArray(live) && live.length === want.length && want.every((w, i) => holds(live[i], w))
    )
  if (isMap(want)) return isMap(live) && Object.entries(want).every(([k, v]) => holds(live[k], v))
  return live === want
}

function diff(original: unknown, modified: Record<string, unknown>, current: unknown) {
  const patch: Record<string, unknown> = {}
  const cur = isMap(current) ? current : {}
  for (const [k, mv] of Object.entries(modified)) {
    const cv = cur[k]
    if (isMap(mv) && isMap(cv)) {
      const sub = diff(isMap(original) ? original[k] : undefined, mv, cv)
      if (Object.keys(sub).length) patch[k] = sub
    } else if (!holds(cv, mv)) patch[k] = mv
  }
  if (isMap(original))
    for (const k of Object.keys(original)) if (!(k in modified) && k in cur) patch[k] = null
  return patch
}

/** the merge patch from `current` to `modified` (undefined: nothing to change) */
export function threeWayPatch(
  original: unknown,
  modified: Record<string, unknown>,
  current: unknown,
) {
  const patch = diff(original, modified, current)
  return Object.keys(patch).length ? patch : undefined
}

/** --dry-run=server → ?dryRun=All (client dry runs send nothing) */
export function dryRunQuery(dryRun: string | undefined): Record<string, string> {
  if (dryRun === 'server') return { dryRun: 'All' }
  return {}
}
