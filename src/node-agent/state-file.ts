// The agent's small state files under its data dir: JSON, replaced atomically (core's
// writeFileAtomic: temp file, fsync, rename, fsync dir), mode 0600. A file that is missing reads
// as undefined; one that does not parse is moved aside to <file>.corrupt-<time> (kept for a
// look) and reads as undefined too, with an error logged — never a crash.
import { readFile, rename } from 'node:fs/promises'
import { writeFileAtomic, type Logger } from '../core/index.ts'

export async function readState<T>(path: string, log: Logger): Promise<T | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    return undefined
  }
  try {
    return JSON.parse(text) as T
  } catch (error) {
    const aside = `${path}.corrupt-${Date.now()}`
    await rename(path, aside).catch(() => undefined)
    log.error('a state file does not parse; moved aside', {
      path,
      aside,
      error: (error as Error).message,
    })
    return undefined
  }
}

export function writeState(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(value))
}
