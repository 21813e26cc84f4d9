// The registry as the plane serves it: /images behind authentication; only admins push.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryLogger, systemClock } from '../../core/index.ts'
import { openLogStore } from '../store/index.ts'
import { createRegistry } from '../registry/index.ts'
import { createAccess } from './access.ts'
import { createApiApp } from './app.ts'
import { ObjectStore } from './object-store.ts'
import { createTokenStore } from './security/index.ts'

const image = new URL('../../../firmware-images/.build/hello-wat.wasm', import.meta.url).pathname

test('admins push, viewers pull, nobody without a token', async () => {
  assert.ok(existsSync(image), 'run `npm run images` first')
  const dir = mkdtempSync(join(tmpdir(), 'shoal-img-'))
  const store = await openLogStore({ dir: join(dir, 'store'), logger: memoryLogger() })
  const objects = new ObjectStore(store, { clock: systemClock })
  const tokens = createTokenStore(dir)
  const admin = tokens.issue({ user: 'root', role: 'admin' })
  const viewer = tokens.issue({ user: 'eve', role: 'viewer' })
  const registry = createRegistry({ dir: join(dir, 'registry') })
  const app = createApiApp({
    objects,
    log: memoryLogger(),
    version: 't',
    access: createAccess(tokens, objects),
    images: registry,
    ready: () => true,
    storeGauges: () => ({ revision: 0, compactRevision: 0 }),
  })
  const bytes = readFileSync(image)
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
  const put = (token: string) =>
    app.request(`/images/blobs/${digest}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/wasm' },
      body: bytes,
    })
  assert.is((await put(viewer)).status, 403)
  assert.ok([200, 201].includes((await put(admin)).status))
  const pulled = await app.request(`/images/blobs/${digest}`, {
    headers: { authorization: `Bearer ${viewer}` },
  })
  assert.is(pulled.status, 200)
  assert.equal(Buffer.from(await pulled.arrayBuffer()), bytes)
  const anon = await app.request(`/images/blobs/${digest}`)
  assert.is(anon.status, 401)
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

test.run()
