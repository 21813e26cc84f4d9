// Client side of a registry pull (the node agent's; plane/registry re-exports it):
// GET <baseUrl>/blobs/<digest> into dest + '.partial', resuming with "Range: bytes=<partial
// size>-" after an interruption (in this call or an earlier one), then sha256 of the whole file
// must equal the digest before it is renamed to dest. A mismatch deletes the partial file: the
// next pull starts from zero.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, rename, rm, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { fsyncDir } from './atomic-file.ts'
import {
  BadRequestError,
  CorruptError,
  NotFoundError,
  ShoalError,
  UnavailableError,
} from './errors.ts'

export interface PullProgress {
  bytes: number
  total: number | undefined
}

export interface PullOptions {
  /** where the registry is mounted, e.g. https://plane:6443/images */
  baseUrl: string
  digest: string
  dest: string
  fetch?: typeof fetch
  headers?: Record<string, string>
  onProgress?: (p: PullProgress) => void
  /** requests to try before giving up; default 5 */
  attempts?: number
  /** wait before the second attempt, doubled each time after; default 500 ms */
  retryDelayMs?: number
}

export interface PullResult {
  digest: string
  size: number
  path: string
  /** how many bytes were already there from an earlier, interrupted pull or attempt */
  resumedFrom: number
}

/** A failure worth another attempt (a cut connection, a 5xx). */
class Interrupted extends Error {}

export async function pullBlob(o: PullOptions): Promise<PullResult> {
  if (!/^sha256:[a-f0-9]{64}$/.test(o.digest))
    throw new BadRequestError(
      `registry: "${o.digest}" is not a digest (want sha256:<64 lowercase hex digits>)`,
    )
  const partial = `${o.dest}.partial`
  await mkdir(dirname(o.dest), { recursive: true })
  const attempts = o.attempts ?? 5
  const firstOffset = await sizeOf(partial)
  let last: unknown
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, (o.retryDelayMs ?? 500) * 2 ** (i - 1)))
    try {
      const total = await downloadOnce(o, partial)
      return { ...(await verifyAndPlace(o, partial, total)), resumedFrom: firstOffset }
    } catch (err) {
      if (!(err instanceof Interrupted || err instanceof TypeError)) throw err
      last = err
    }
  }
  throw new UnavailableError(
    `registry: pulling ${o.digest} from ${o.baseUrl} failed after ${attempts} attempts: ${(last as Error)?.message}`,
    { cause: last },
  )
}

async function sizeOf(path: string): Promise<number> {
  return (await stat(path).catch(() => undefined))?.size ?? 0
}

/** One request from the partial file's size on; resolves with the blob's total size. */
async function downloadOnce(o: PullOptions, partial: string): Promise<number> {
  let offset = await sizeOf(partial)
  const headers: Record<string, string> = {
    ...o.headers,
    ...(offset > 0 ? { Range: `bytes=${offset}-` } : {}),
  }
  const url = `${o.baseUrl.replace(/\/+$/, '')}/blobs/${o.digest}`
  const res = await (o.fetch ?? fetch)(url, { headers })
  const total = totalOf(res)
  if (res.status === 416) {
    if (total === offset) return offset // the partial file already holds every byte
    await rm(partial, { force: true })
    throw new Interrupted(`the partial file (${offset} bytes) is larger than the blob (${total})`)
  }
  if (res.status !== 200 && res.status !== 206) await refuse(res, o.digest)
  if (res.status === 206 && !res.headers.get('content-range')?.startsWith(`bytes ${offset}-`)) {
    throw new Interrupted(
      `the registry answered a different range (${res.headers.get('content-range')})`,
    )
  }
  if (res.status === 200) offset = 0 // the whole blob: start over
  const fh = await open(partial, offset === 0 ? 'w' : 'a')
  let bytes = offset
  try {
    o.onProgress?.({ bytes, total })
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      await fh.writeFile(chunk)
      bytes += chunk.length
      o.onProgress?.({ bytes, total })
    }
    await fh.sync()
  } catch (err) {
    throw new Interrupted(`the download stopped after ${bytes} bytes: ${(err as Error).message}`, {
      cause: err,
    })
  } finally {
    await fh.close()
  }
  if (total !== undefined && bytes !== total)
    throw new Interrupted(`the download ended after ${bytes} of ${total} bytes`)
  return bytes
}

/** The blob's full size from Content-Range (206, 416) or Content-Length (200). */
function totalOf(res: Response): number | undefined {
  const cr = /\/(\d+)$/.exec(res.headers.get('content-range') ?? '')
  if (cr) return Number(cr[1])
  const len = res.headers.get('content-length')
  return res.status === 200 && len !== null ? Number(len) : undefined
}

async function refuse(res: Response, digest: string): Promise<never> {
  const text = (await res.text().catch(() => '')).slice(0, 300)
  if (res.status >= 500) throw new Interrupted(`HTTP ${res.status} ${text}`)
  if (res.status === 404)
    throw new NotFoundError(`registry: blob ${digest} not found at the registry`)
  throw new ShoalError(
    res.status === 401 ? 'Unauthorized' : res.status === 403 ? 'Forbidden' : 'BadRequest',
    `registry: pulling ${digest} was refused: HTTP ${res.status} ${text}`,
  )
}

async function verifyAndPlace(
  o: PullOptions,
  partial: string,
  total: number,
): Promise<{ digest: string; size: number; path: string }> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(partial)) hash.update(chunk as Buffer)
  const got = `sha256:${hash.digest('hex')}`
  if (got !== o.digest) {
    await rm(partial, { force: true })
    throw new CorruptError(
      `registry: pulled ${total} bytes hash to ${got}, not ${o.digest}; the partial download was deleted`,
      { file: partial, offset: 0 },
    )
  }
  await rename(partial, o.dest)
  await fsyncDir(dirname(o.dest))
  return { digest: got, size: total, path: o.dest }
}
