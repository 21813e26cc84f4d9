// Fixtures for registry integration tests: the real sample images (copied out of
// firmware-images/.build so a concurrent rebuild cannot pull them away), a core module, and the
// registry served on a real socket behind a parent app that maps ShoalError codes to HTTP the
// way the plane does (NotFound 404, Invalid 422, BadRequest 400, Conflict 409, TooLarge 413).
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { getRequestListener } from '@hono/node-server'
import { Hono } from 'hono'
import { isShoalError, memoryLogger } from '../../src/core/index.ts'
import {
  createRegistry,
  type Registry,
  type RegistryOptions,
} from '../../src/plane/registry/index.ts'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const buildDir = join(root, 'firmware-images/.build')
const codes: Record<string, number> = {
  NotFound: 404,
  Invalid: 422,
  BadRequest: 400,
  Conflict: 409,
  TooLarge: 413,
  Unsupported: 415,
  Forbidden: 403,
  Unavailable: 503,
}

export interface SampleImage {
  name: string
  version: string
  digest: string
  size: number
  kind: string
  world: string
  path: string
  bytes: Buffer
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `shoal-${prefix}-`))
}

/** Copies <app>.wasm/.json into dir (building the images once if they are missing). */
export function sampleImage(app: string, dir: string): SampleImage {
  if (!existsSync(join(buildDir, `${app}.json`)))
    spawnSync('npm', ['run', 'images'], { cwd: root, stdio: 'ignore' })
  copyFileSync(join(buildDir, `${app}.wasm`), join(dir, `${app}.wasm`))
  copyFileSync(join(buildDir, `${app}.json`), join(dir, `${app}.json`))
  const meta = JSON.parse(readFileSync(join(dir, `${app}.json`), 'utf8'))
  const bytes = readFileSync(join(dir, `${app}.wasm`))
  return { ...meta, path: join(dir, `${app}.wasm`), bytes }
}

/** A core module built with wat2wasm (a fixed minimal one when wabt is not installed). */
export function coreModule(dir: string): Buffer {
  const wat = join(dir, 'core.wat')
  writeFileSync(
    wat,
    '(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))\n',
  )
  const out = join(dir, 'core.wasm')
  const r = spawnSync('wat2wasm', [wat, '-o', out])
  return r.status === 0 ? readFileSync(out) : Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])
}

export interface Served {
  registry: Registry
  app: Hono
  baseUrl: string // http://127.0.0.1:<port>/images
  close(): Promise<void>
}

export async function serveRegistry(
  o: Partial<RegistryOptions> & { dir: string },
): Promise<Served> {
  const registry = createRegistry({ logger: memoryLogger(), ...o })
  const app = new Hono()
  app.onError((err, c) =>
    c.json({ message: err.message }, (isShoalError(err) ? (codes[err.code] ?? 500) : 500) as 400),
  )
  app.route('/images', registry.app)
  const server: Server = createServer(getRequestListener(app.fetch))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    registry,
    app,
    baseUrl: `http://127.0.0.1:${port}/images`,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  }
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}
