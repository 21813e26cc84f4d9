// The node's conditions for `heartbeat` (adapter over node:os and statfs): Ready while the agent
// runs, MemoryPressure when available memory is under a threshold (the kubelet's default
// eviction signal: 100 MiB), DiskPressure when the data dir's filesystem has less than a
// fraction free (default 10 %) or image garbage collection says the node is still short of disk
// (disk-watch.ts: the same threshold, or the images over their budget, after it deleted what no
// desired pod uses). A figure that cannot be read is Unknown.
import { statfs } from 'node:fs/promises'
import { freemem } from 'node:os'
import type { NodeConditionReport } from '../api/index.ts'

export interface PressureThresholds {
  /** MemoryPressure below this many bytes available (default 100 MiB) */
  memoryBytes?: number
  /** DiskPressure below this fraction of the data dir's filesystem free (default 0.1); unused
   *  images are deleted, least recently used first, to stay above it */
  diskFraction?: number
  /** images may take at most this many bytes on disk (default: no budget) */
  imageBytes?: number
}

const mib = (n: number) => `${Math.round(n / 2 ** 20)} MiB`

export async function nodeConditions(
  dataDir: string,
  t: PressureThresholds = {},
  imageProblem?: string,
): Promise<NodeConditionReport[]> {
  const memoryMin = t.memoryBytes ?? 100 * 2 ** 20
  const free = freemem()
  const memory: NodeConditionReport =
    free < memoryMin
      ? {
          type: 'MemoryPressure',
          status: 'True',
          reason: 'AgentHasInsufficientMemory',
          message: `${mib(free)} available, under ${mib(memoryMin)}`,
        }
      : { type: 'MemoryPressure', status: 'False', reason: 'AgentHasSufficientMemory' }
  return [
    {
      type: 'Ready',
      status: 'True',
      reason: 'AgentReady',
      message: 'shoal agent is posting ready status',
    },
    memory,
    imageProblem
      ? {
          type: 'DiskPressure',
          status: 'True',
          reason: 'AgentHasDiskPressure',
          message: `${imageProblem}, with every image left in use by a desired pod`,
        }
      : await disk(dataDir, t.diskFraction ?? 0.1),
  ]
}

async function disk(dataDir: string, minFraction: number): Promise<NodeConditionReport> {
  try {
    const s = await statfs(dataDir)
    const fraction = s.blocks > 0 ? s.bavail / s.blocks : 1
    if (fraction < minFraction)
      return {
        type: 'DiskPressure',
        status: 'True',
        reason: 'AgentHasDiskPressure',
        message: `${(fraction * 100).toFixed(1)} % of ${dataDir}'s filesystem free, under ${minFraction * 100} %`,
      }
    return { type: 'DiskPressure', status: 'False', reason: 'AgentHasNoDiskPressure' }
  } catch (error) {
    return {
      type: 'DiskPressure',
      status: 'Unknown',
      message: (error as Error).message.slice(0, 200),
    }
  }
}
