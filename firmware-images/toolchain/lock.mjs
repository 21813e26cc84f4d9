// A folder used as a lock between processes: mkdir takes it, the owner's pid is written inside.
// A folder left by a dead process is taken over; a live owner is waited for (up to 10 minutes).
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { BuildError } from './tools.mjs'

function ownerAlive(dir) {
  try {
    const pid = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'))
    process.kill(pid, 0)
    return true
  } catch (error) {
    if (error.code === 'EPERM') return true
    if (error.code === 'ENOENT' && error.syscall === 'open') return justCreated(dir) // pid not written yet
    return false
  }
}

function justCreated(dir) {
  try {
    return Date.now() - statSync(dir).mtimeMs < 60_000
  } catch {
    return false
  }
}

async function acquire(dir, onWait) {
  let told = false
  for (const started = Date.now(); Date.now() - started < 600_000; await sleep(500)) {
    try {
      mkdirSync(dir)
      writeFileSync(join(dir, 'owner.pid'), String(process.pid))
      return
    } catch (error) {
      if (error.code !== 'EEXIST') throw error
      if (!ownerAlive(dir)) rmSync(dir, { recursive: true, force: true })
      else if (!told && onWait) {
        told = true
        onWait()
      }
    }
  }
  throw new BuildError(`images: ${dir} stays busy (another image build is running)`)
}

/** Runs fn() holding the lock folder `dir` (removed afterwards); onWait() once if it must wait. */
export async function withLock(dir, fn, onWait) {
  await acquire(dir, onWait)
  try {
    return await fn()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
