// The plane's data dir is private to the plane's user, as etcd keeps its data dir (fileutil
// PrivateDirMode): created 0700; found open to others (made by hand, or by an older Shoal), it is
// chmod'ed to 0700 with a warning, or the plane refuses to start if that fails. Whatever is under
// it loses its group and other bits too. The components create new files 0600 and dirs 0700.
import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { ShoalError, type Logger } from '../core/index.ts'

/** group and other bits */
const OPEN = 0o077
const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`

export function ensurePrivateDataDir(dir: string, log: Logger): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const mode = statSync(dir).mode
  if (mode & OPEN) {
    try {
      chmodSync(dir, 0o700)
    } catch (cause) {
      throw new ShoalError(
        'Forbidden',
        `plane: the data dir ${dir} is open to other users (mode ${octal(mode)}) and cannot be made 0700: ${(cause as Error).message}`,
        { cause },
      )
    }
    log.warn('the data dir was open to other users; made it 0700', { dir, was: octal(mode) })
  }
  const fixed = closeTree(dir, log)
  if (fixed.length)
    log.warn(
      'files in the data dir were open to other users; removed their group and other permissions',
      { dir, count: fixed.length, first: fixed[0] },
    )
}

/** every file and directory under dir (symlinks are not followed) without group/other bits */
function closeTree(dir: string, log: Logger, fixed: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    const s = lstatSync(path)
    if (!s.isFile() && !s.isDirectory()) continue
    if (s.mode & OPEN) {
      try {
        chmodSync(path, s.mode & 0o700)
        fixed.push(path)
      } catch (err) {
        log.warn('could not make a file in the data dir private', {
          path,
          mode: octal(s.mode),
          err: (err as Error).message,
        })
      }
    }
    if (s.isDirectory()) closeTree(path, log, fixed)
  }
  return fixed
}
