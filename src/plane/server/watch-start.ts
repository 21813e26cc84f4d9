// Where a watch starts, settled before its response's headers go out, and the Status errors a
// watch answers with, worded as kube-apiserver's: a malformed resourceVersion is 400; one the
// store has not reached yet is waited for (kube-apiserver's watch cache waits 3 s) and then 504
// Timeout "Too large resource version"; a compacted one is 410 Expired "too old resource
// version", before the stream starts or later as its ERROR event (informers relist on either).
import { CompactedError, ShoalError } from '../../core/index.ts'
import type { Store, Watcher } from '../store/index.ts'
import { ApiError } from './status.ts'

/** how long a watch waits for a resourceVersion the store has not reached (kube-apiserver: 3 s) */
export const FUTURE_WAIT_MS = 3000

const UINT64_MAX = 2n ** 64n - 1n

/** a resourceVersion to resume after: `text` as kube-apiserver prints it back (its uint64) */
export interface WatchRv {
  revision: number
  text: string
}

/** the resourceVersion a watch resumes after; undefined for "" and 0: the current state first */
export function watchResourceVersion(query: URLSearchParams): WatchRv | undefined {
  const text = query.get('resourceVersion') ?? ''
  if (text === '') return undefined
  const invalid = (why: string) =>
    new ShoalError('BadRequest', `resourceVersion: Invalid value: ${JSON.stringify(text)}: ${why}`)
  if (!/^\d+$/.test(text)) throw invalid('must be a non-negative integer')
  const rv = BigInt(text)
  if (rv > UINT64_MAX)
    throw invalid('out of range (the largest resourceVersion is 18446744073709551615)')
  return rv === 0n ? undefined : { revision: Number(rv), text: rv.toString() }
}

/** 504, as kube-apiserver's storage.NewTooLargeResourceVersionError (client-go relists on its cause) */
export function tooLargeResourceVersion(rv: string, current: number): ApiError {
  return new ApiError(
    'Timeout',
    `Timeout: Too large resource version: ${rv}, current: ${current}`,
    {
      causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
      retryAfterSeconds: 1,
    },
  )
}

/** 410 Expired, as kube-apiserver's watch cache words it: the oldest resourceVersion still served in brackets */
export function tooOldResourceVersion(rv: number | string, err: CompactedError): ShoalError {
  return new ShoalError(
    'Compacted',
    `too old resource version: ${rv} (${err.compactRevision - 1})`,
    { cause: err },
  )
}

/**
 * Resolves once the store has reached `rv`. A watch over every key from that revision tells
 * when it commits (every revision writes a key); after `waitMs` without it, 504 Timeout.
 */
export function awaitRevision(
  store: Store,
  rv: WatchRv,
  o: { waitMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  if (rv.revision <= store.revision) return Promise.resolve()
  return new Promise((resolve, reject) => {
    let settled = false
    let watcher: Watcher | undefined
    const done = (err?: Error) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      watcher?.cancel()
      o.signal?.removeEventListener('abort', gone)
      if (err) reject(err)
      else resolve()
    }
    const gone = () =>
      done(
        new ShoalError(
          'Unavailable',
          'watch: the client went away while its resourceVersion was awaited',
        ),
      )
    const timer = setTimeout(
      () => done(tooLargeResourceVersion(rv.text, store.revision)),
      o.waitMs ?? FUTURE_WAIT_MS,
    )
    o.signal?.addEventListener('abort', gone)
    if (o.signal?.aborted) return gone()
    // beyond 2^53 no store revision ever arrives: only the timer answers
    if (!Number.isSafeInteger(rv.revision)) return
    watcher = store.watch(
      { prefix: '' },
      { startRevision: rv.revision },
      { onEvents: () => done(), onCancel: (err) => done(err) },
    )
    if (settled) watcher.cancel()
  })
}

/** a store error of a watch as the API answers it; `rv`: the resourceVersion the client is at */
export function watchError(err: unknown, rv: number | string): Error {
  if (err instanceof CompactedError) return tooOldResourceVersion(rv, err)
  if (err instanceof ShoalError) return err
  return new ShoalError('Unavailable', `watch: ${String(err)}`, { cause: err })
}
