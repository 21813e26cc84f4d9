// Replay bench: a child writes n records into `dir`, then FRESH children open the store (three by
// default) and report the time from the open call to ready and their peak RSS
// (process.resourceUsage().maxRSS); the median time and the highest RSS are the result.
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
    out = execFileSync(
      '/bin/sh',
      [...VIA_SH, process.execPath, '--import', 'tsx', CHILD, ...args],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        timeout: 120_000,
        maxBuffer: 16 << 20,
      },
    )
  } catch (err) {
    out = err.stdout ?? ''
    if (!out.trim()) throw new Error(`bench: replay child "${args[0]}" failed`, { cause: err })
  }
  const res = JSON.parse(out.trim().split('\n').pop())
  if (res.error) throw new Error(`bench: replay child "${args[0]}": ${res.error}`)
  return res
}

/** fresh-process opens per run: the median is reported (one open is one sample of a VM whose speed jumps), the peak RSS is the highest */
const OPENS = Number(process.env.REPLAY_OPENS ?? 3)

export function runReplay(dir, n) {
  const written = child(['write', dir, String(n)])
  const baseline = child(['baseline'])
  const opens = []
  for (let i = 0; i < OPENS; i++) {
    const opened = child(['open', dir])
    if (opened.count !== n) throw new Error(`bench: replay found ${opened.count} keys, wrote ${n}`)
    opens.push(opened)
  }
  const times = opens.map((o) => Number(o.open_s.toFixed(3)))
  const sorted = [...times].sort((a, b) => a - b)
  return {
    s: sorted[(sorted.length - 1) >> 1],
    s_each: times,
    rss_mb: Math.max(...opens.map((o) => o.rss_mb)),
    baseline_rss_mb: baseline.rss_mb,
    write_s: Number(written.write_s.toFixed(2)),
    revision: opens[0].revision,
  }
}
