// Replay bench: a child writes n records into `dir`, then a FRESH child opens the store and reports
// the time from the open call to ready and its peak RSS (process.resourceUsage().maxRSS).
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const CHILD = fileURLToPath(new URL('./replay-child.mjs', import.meta.url))

// Started through /bin/sh, which forks: Linux carries the peak RSS of the process that forks into
// the child's maxRSS across execve (measured: a direct child of a 400 MB parent reported 404 MB,
// via sh 39 MB), so a direct child of this bench would report the bench's own peak.
const VIA_SH = ['-c', '"$@"; exit $?', 'sh']

function child(args) {
  let out
  try {
    out = execFileSync('/bin/sh', [...VIA_SH, process.execPath, '--import', 'tsx', CHILD, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 120_000,
      maxBuffer: 16 << 20,
    })
  } catch (err) {
    out = err.stdout ?? ''
    if (!out.trim()) throw new Error(`bench: replay child "${args[0]}" failed`, { cause: err })
  }
  const res = JSON.parse(out.trim().split('\n').pop())
  if (res.error) throw new Error(`bench: replay child "${args[0]}": ${res.error}`)
  return res
}

export function runReplay(dir, n) {
  const written = child(['write', dir, String(n)])
  const baseline = child(['baseline'])
  const opened = child(['open', dir])
  if (opened.count !== n) throw new Error(`bench: replay found ${opened.count} keys, wrote ${n}`)
  return {
    s: Number(opened.open_s.toFixed(3)),
    rss_mb: opened.rss_mb,
    baseline_rss_mb: baseline.rss_mb,
    write_s: Number(written.write_s.toFixed(2)),
    revision: opened.revision,
  }
}
