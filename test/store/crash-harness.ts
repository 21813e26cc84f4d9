// Kill-at-random-moments harness shared by the crash test (npm test) and the soak (bench/).
// Each round starts a child that writes with 64 concurrent writers, SIGKILLs it after a random
// delay, reopens the store and checks: every acknowledged write is there with its revision, and
// the revisions of all keys are exactly 1..N (every write makes a new key), so there is no gap.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { openLogStore } from '../../src/plane/store/index.ts'
import { createLogger } from '../../src/core/index.ts'

const child = fileURLToPath(new URL('./crash-child.ts', import.meta.url))

function runChild(
  dir: string,
  killAfterMs: number,
  mode: 'inline' | 'pool',
): Promise<{ acks: Map<string, number>; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, dir, '64', mode], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const acks = new Map<string, number>()
    let buf = ''
    let err = ''
    let timer: NodeJS.Timeout | undefined
    p.stdout.on('data', (d: Buffer) => {
      buf += d
      const lines = buf.split('\n')
      buf = lines.pop()!
      for (const l of lines) {
        const [kind, key, rev] = l.split(' ')
        if (kind === 'ready' && !timer) timer = setTimeout(() => p.kill('SIGKILL'), killAfterMs)
        else if (kind === 'ack') acks.set(key, Number(rev))
      }
    })
    p.stderr.on('data', (d) => (err += d))
    p.on('error', reject)
    p.on('close', (code, signal) => {
      clearTimeout(timer)
      if (signal !== 'SIGKILL')
        reject(new Error(`crash child exited on its own (code ${code}): ${err}`))
      else resolve({ acks, killed: true })
    })
  })
}

export interface RoundResult {
  acked: number
  revision: number
  missing: string[]
  gaps: number
  /** keys whose value did not read back as written (values are read lazily after a reopen) */
  badValues: string[]
}

/** `mode`: where the child's fdatasync runs (wal/writer.ts): both are exercised */
export async function crashRound(
  dir: string,
  killAfterMs: number,
  mode: 'inline' | 'pool' = 'inline',
): Promise<RoundResult> {
  const { acks } = await runChild(dir, killAfterMs, mode)
  const store = await openLogStore({
    dir,
    historyRevisions: 2000,
    logger: createLogger('crash-check', { level: 'error' }),
  })
  try {
    const all = await store.range({ prefix: '/crash/' })
    const byKey = new Map(all.kvs.map((kv) => [kv.key, kv.modRevision]))
    const missing = [...acks]
      .filter(([k, rev]) => byKey.get(k) !== rev)
      .map(([k, rev]) => `${k}@${rev} (found ${byKey.get(k)})`)
    const badValues = all.kvs
      .filter((kv) => kv.value.length !== 300 || kv.value.some((b) => b !== 7))
      .map((kv) => kv.key)
    const revs = all.kvs.map((kv) => kv.modRevision).sort((a, b) => a - b)
    let gaps = 0
    for (let i = 0; i < revs.length; i++) if (revs[i] !== i + 1) gaps++
    if (revs.length !== store.revision) gaps++
    return { acked: acks.size, revision: store.revision, missing, gaps, badValues }
  } finally {
    await store.close()
  }
}
