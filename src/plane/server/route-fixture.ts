// What route tests stand on: a real log store in a temp dir, the API app over it (no socket; no
// auth, or bearer tokens for an admin, a viewer and node pi-1), the namespace "default", and a
// request helper. Tests only; nothing else imports it.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryLogger, systemClock } from '../../core/index.ts'
import { openLogStore, type LogStore } from '../store/index.ts'
import { createAccess } from './access.ts'
import { createApiApp } from './app.ts'
import { ObjectStore } from './object-store.ts'
import { createTokenStore } from './security/index.ts'

export interface Answer {
  res: Response
  status: number
  text: string
  /** the body parsed, when it is JSON */
  json: any
}

export interface RouteFixture {
  app: ReturnType<typeof createApiApp>
  store: LogStore
  objects: ObjectStore
  /** `body`: a string is sent as it is, anything else as JSON (content-type JSON unless `headers` say otherwise) */
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer>
  /** with `tokens: true`: bearer tokens of each role */
  tokens: { admin: string; viewer: string; pi1: string }
  close(): Promise<void>
}

/** `tokens`: authenticate by bearer token (admin, viewer, node pi-1) instead of letting everyone in */
export async function openRouteFixture(
  name: string,
  o: { tokens?: boolean; usage?: Parameters<typeof createApiApp>[0]['usage'] } = {},
): Promise<RouteFixture> {
  const dir = mkdtempSync(join(tmpdir(), `shoal-${name}-`))
  const store = await openLogStore({ dir: join(dir, 'store'), logger: memoryLogger() })
  const objects = new ObjectStore(store, { clock: systemClock })
  const ts = o.tokens ? createTokenStore(dir) : undefined
  const tokens = ts
    ? {
        admin: ts.issue({ user: 'root', role: 'admin' }),
        viewer: ts.issue({ user: 'eve', role: 'viewer' }),
        pi1: ts.issue({ role: 'node', node: 'pi-1' }),
      }
    : { admin: '', viewer: '', pi1: '' }
  const access = ts && createAccess(ts, objects)
  const app = createApiApp({
    objects,
    log: memoryLogger(),
    version: 'test',
    access,
    ready: () => true,
    usage: o.usage,
    storeGauges: () => ({
      revision: store.revision,
      compactRevision: 0,
      memory: store.memoryStats,
      disk: store.diskStats,
    }),
  })
  const request = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const init: RequestInit = {
      method,
      headers: {
        ...(body !== undefined && typeof body !== 'string'
          ? { 'content-type': 'application/json' }
          : {}),
        ...headers,
      },
    }
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body)
    const res = await app.request(path, init)
    const text = await res.text()
    const json =
      /json/.test(res.headers.get('content-type') ?? '') && text ? JSON.parse(text) : undefined
    return { res, status: res.status, text, json }
  }
  await request(
    'POST',
    '/api/v1/namespaces',
    { metadata: { name: 'default' } },
    ts ? { authorization: `Bearer ${tokens.admin}` } : {},
  )
  const close = async () => {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
  return { app, store, objects, request, tokens, close }
}

/** the first `n` events of a watch response (one JSON object a line), then cancels it */
export async function readWatchLines(
  res: Response,
  n: number,
): Promise<{ type: string; object: any }[]> {
  const reader = res.body!.getReader()
  const dec = new TextDecoder()
  let buf = ''
  const out = []
  while (out.length < n) {
    const { value, done } = await reader.read()
    if (done) break
    buf += dec.decode(value)
    let i
    while ((i = buf.indexOf('\n')) >= 0) {
      out.push(JSON.parse(buf.slice(0, i)))
      buf = buf.slice(i + 1)
    }
  }
  await reader.cancel()
  return out
}
