// One store process per directory: a LOCK file holding the owner's pid. A lock left by a
// process that is gone (killed, crashed) is taken over. The directory is created 0700, LOCK 0600.
import {
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
  closeSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { UnavailableError } from '../../core/index.ts'

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export class DirLock {
  #file: string
  #held = true

  private constructor(file: string) {
    this.#file = file
  }

  static acquire(dir: string): DirLock {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const file = join(dir, 'LOCK')
    try {
      const fd = openSync(file, 'wx', 0o600)
      writeSync(fd, String(process.pid))
      closeSync(fd)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const pid = Number(readFileSync(file, 'utf8').trim())
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new UnavailableError(`store: ${dir} is in use by process ${pid} (${file})`)
      }
      writeFileSync(file, String(process.pid), { mode: 0o600 })
    }
    return new DirLock(file)
  }

  release(): void {
    if (!this.#held) return
    this.#held = false
    try {
      unlinkSync(this.#file)
    } catch {
      // already gone
    }
  }
}
