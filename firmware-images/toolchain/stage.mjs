// A fixed staging folder for builds whose output records absolute paths (componentize-js).
// Only one build at a time may use it: the folder itself is the lock, and it holds the owner's pid.
// A folder left by a dead process is taken over; a live owner is waited for (up to 10 minutes).
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { BuildError } from './tools.mjs'

export const stageDir = '/tmp/shoal-firmware-stage'

function ownerAlive() {
  try {
    const pid = Number(readFileSync(join(stageDir, 'owner.pid'), 'utf8'))
    process.kill(pid, 0)
    return true
  } catch (error) {
    if (error.code === 'EPERM') return true
    if (error.code === 'ENOENT' && error.syscall === 'open') return justCreated() // pid not written yet
    return false
  }
}

function justCreated() {
  try {
    return Date.now() - statSync(stageDir).mtimeMs < 60_000
  } catch {
    return false
  }
}

async function acquire() {
  for (const started = Date.now(); Date.now() - started < 600_000; await sleep(500)) {
    try {
      mkdirSync(stageDir)
      writeFileSync(join(stageDir, 'owner.pid'), String(process.pid))
      return
    } catch (error) {
      if (error.code !== 'EEXIST') throw error
      if (!ownerAlive()) rmSync(stageDir, { recursive: true, force: true })
    }
  }
  throw new BuildError(`images: ${stageDir} stays busy (another image build is running)`)
}

/** Runs fn({ dir, tmp }) with the staging folder to itself, then removes the folder. */
export async function withStage(fn) {
  await acquire()
  try {
    const tmp = join(stageDir, 'tmp')
    mkdirSync(tmp)
    return await fn({ dir: stageDir, tmp })
  } finally {
    rmSync(stageDir, { recursive: true, force: true })
  }
}
