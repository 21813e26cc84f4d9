// A fixed staging folder for builds whose output records absolute paths (componentize-js).
// Only one build at a time may use it: the folder itself is the lock (lock.mjs).
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { withLock } from './lock.mjs'

export const stageDir = '/tmp/shoal-firmware-stage'

/** Runs fn({ dir, tmp }) with the staging folder to itself, then removes the folder. */
export function withStage(fn) {
  return withLock(stageDir, () => {
    const tmp = join(stageDir, 'tmp')
    mkdirSync(tmp)
    return fn({ dir: stageDir, tmp })
  })
}
