// The fleet dashboard's static files at /ui (built by esbuild.config.mjs into dist/ui: index.html,
// app.js, app.css). They hold no data, so they are served without a token: the page asks for one
// and sends it as a bearer token with every API call it makes, and the API authorizes those as
// any other (a viewer may look; an admin action of a viewer is refused by the API with its 403).
// Found beside the running bundle (dist/shoal.mjs → dist/ui) or, run from src/ under tsx, in the
// checkout's dist/ui; not built: /ui says how to build it.
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Hono } from 'hono'

export const UI_PATH = '/ui'

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  map: 'application/json',
}

/** the directory holding index.html, or undefined when the dashboard was not built */
export function uiDirectory(
  candidates = [new URL('./ui/', import.meta.url), new URL('../../../dist/ui/', import.meta.url)],
): string | undefined {
  for (const c of candidates) {
    const dir = fileURLToPath(c)
    if (existsSync(dir + 'index.html')) return dir
  }
  return undefined
}

/** whether a request path is one of the dashboard's (served without authentication) */
export const isUiPath = (path: string) => path === UI_PATH || path.startsWith(UI_PATH + '/')

/** `dir`: where the files are; null: not built */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any app's env: routes only read the path
export function uiRoutes(app: Hono<any>, dir: string | null = uiDirectory() ?? null): void {
  const cache = new Map<string, string>()
  const file = (name: string): Response => {
    if (!dir)
      return new Response('the dashboard is not built: run `npm run build` (it writes dist/ui)\n', {
        status: 404,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      })
    let body = cache.get(name)
    if (!body) {
      if (!/^[a-z0-9-]+(\.[a-z]+)*\.(html|js|css|map)$/.test(name) || !existsSync(dir + name))
        return new Response(`no such file in the dashboard: ${name}\n`, {
          status: 404,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
        })
      body = readFileSync(dir + name, 'utf8')
      cache.set(name, body)
    }
    return new Response(body, {
      headers: {
        'content-type': TYPES[name.split('.').pop()!],
        'cache-control': 'no-cache',
        // the page talks only to this plane; no inline script, no other origin
        'content-security-policy':
          "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'",
        'x-content-type-options': 'nosniff',
      },
    })
  }
  app.get(UI_PATH, (c) => c.redirect(UI_PATH + '/'))
  app.get(UI_PATH + '/', () => file('index.html'))
  app.get(UI_PATH + '/:name', (c) => file(c.req.param('name') ?? ''))
}
