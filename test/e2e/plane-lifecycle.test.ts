// The plane process: graceful shutdown ends watches cleanly and exits 0; data survives a restart;
// health and metrics endpoints answer.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'node:http'
import { startPlane } from './plane-process.ts'

const dir = mkdtempSync(join(tmpdir(), 'shoal-life-'))

function openWatch(url: string): Promise<{ ended: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0`,
      (res) => {
        let body = ''
        res.on('data', (d) => (body += d))
        resolve({ ended: new Promise((r) => res.on('end', () => r(body))) })
      },
    )
    req.on('error', reject)
    req.end()
  })
}

test('SIGTERM ends open watches cleanly, exits 0, and the data is there after a restart', async () => {
  const data = join(dir, 'data')
  const plane = await startPlane(data, { insecureHttp: true })
  const created = await fetch(`${plane.url}/api/v1/namespaces/default/configmaps`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ metadata: { name: 'keep' }, data: { a: '1' } }),
  })
  assert.is(created.status, 201)
  assert.is(await (await fetch(`${plane.url}/readyz`)).text(), 'ok')
  assert.match(
    await (await fetch(`${plane.url}/metrics`)).text(),
    /shoal_store_fsync_duration_seconds_count \d+/,
  )
  const w = await openWatch(plane.url)
  const code = await plane.stop()
  const body = await w.ended
  assert.is(code, 0, plane.output())
  assert.match(body, /"type":"ADDED"[^\n]*"name":"keep"/)
  assert.match(plane.output(), /plane stopped/)
  const again = await startPlane(data, { insecureHttp: true })
  const got = (await (
    await fetch(`${again.url}/api/v1/namespaces/default/configmaps/keep`)
  ).json()) as { data: { a: string } }
  assert.is(got.data.a, '1')
  assert.is(await again.stop(), 0)
})

test.after(() => rmSync(dir, { recursive: true, force: true }))
test.run()
