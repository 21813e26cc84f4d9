// How far V8 lets a long-running plane's heap grow past what it keeps. After a full collection
// V8 sets the next limit at up to 4× the surviving heap when collecting is cheap, which it is for
// a plane (short pauses, most of its time idle between messages): measured at 1,000 nodes and
// 10,000 pods, 100 MB live sat in 332 MB of heap (RSS 554 MB). A growth of 50 % put the same
// plane at 173 MB of heap (RSS 326 MB) for no CPU that showed through the machine's noise
// (bench/README.md, fleet.mjs). Set once by `shoal plane` / `shoal up` before the plane starts;
// a heap flag the operator gave (node's argv or NODE_OPTIONS) wins, and an embedder's process
// (createPlane) is left alone.
import { setFlagsFromString } from 'node:v8'

export const HEAP_GROWING_PERCENT = 50

const HEAP_FLAG =
  /^--(heap[-_]growing[-_]percent|max[-_]old[-_]space[-_]size|optimize[-_]for[-_]size)\b/

/** whether the operator already chose how the heap grows or how large it may be */
export function heapFlagGiven(
  execArgv: readonly string[],
  nodeOptions: string | undefined,
): boolean {
  return [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((a) => HEAP_FLAG.test(a))
}

/** bounds the heap's growth unless a heap flag was given; returns the flag set, if any */
export function boundHeapGrowth(
  o: {
    execArgv?: readonly string[]
    nodeOptions?: string
    setFlags?: (flags: string) => void
  } = {},
): string | undefined {
  if (heapFlagGiven(o.execArgv ?? process.execArgv, o.nodeOptions ?? process.env.NODE_OPTIONS))
    return undefined
  const flag = `--heap-growing-percent=${HEAP_GROWING_PERCENT}`
  ;(o.setFlags ?? setFlagsFromString)(flag)
  return flag
}
