// The agent's mesh with a TLS ingress listener: the table it takes names an Ingress and its TLS
// Secret; the certificate fetched for it (as an ingress node may) is served by SNI, and the
// request reaches a real backend through the Ingress rule.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryLogger } from '../../src/core/index.ts'
import { backend, fleetCa } from '../../src/mesh/mesh-fixture.ts'
import { startAgentMesh } from '../../src/node-agent/agent-mesh.ts'
import { MeshCache } from '../../src/node-agent/mesh-cache.ts'

test('the agent mesh serves Ingress TLS by SNI with the Secrets fetched for the table it takes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-ingress-tls-'))
  const site = await backend('site')
  const ca = await fleetCa('site-ca')
  const pem = await ca.issue('site', { org: 'site', dns: 'site.example' })
  const log = memoryLogger()
  const cache = await MeshCache.load(join(dir, 'mesh.json'), log)
  const am = await startAgentMesh(
    { local: false, public: false, metrics: false, ingressTls: { host: '127.0.0.1', port: 0 } },
    {
      ...{ node: 'n1', address: '127.0.0.1', caCert: ca.ca, defaultPort: 0, cache, log },
      certificatePath: join(dir, 'node.pem'),
      tlsSecret: async (ns, name) =>
        `${ns}/${name}` === 'web/site-tls'
          ? { 'tls.crt': pem.cert, 'tls.key': pem.key }
          : undefined,
    },
  )
  try {
    cache.take({
      ...{
        type: 'mesh',
        revision: 5,
        nodes: [{ name: 'n1', address: '127.0.0.1', meshPort: 0, online: true }],
      },
      services: [
        {
          ...{
            namespace: 'web',
            name: 'site',
            resourceVersion: '1',
            type: 'ClusterIP',
            exposed: false,
          },
          ports: [{ name: '', port: 80, protocol: 'TCP' }],
          ...{ sessionAffinity: 'None', loadBalancer: 'least-request' },
          endpoints: [
            {
              ...{ uid: 'u1', pod: 'web/site-1', node: 'n1', ports: { '': site.port } },
              ...{ ready: true, serving: true, terminating: false },
            },
          ],
        },
      ],
      ingress: [
        {
          ...{ ingress: 'web/site', host: 'site.example', pathType: 'Prefix', path: '/' },
          ...{ namespace: 'web', service: 'site', port: 80 },
        },
      ],
      ingressTls: [{ secret: 'web/site-tls', hosts: ['site.example'] }],
    })
    const answer = await until(() =>
      httpsGet(am.ports.ingressTls!, 'site.example', ca.ca).catch(() => undefined),
    )
    assert.equal(answer, 'site GET /hello')
  } finally {
    await am.stop()
    await site.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

async function until<T>(fn: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await fn()
    if (v !== undefined) return v
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error('timed out')
}

function httpsGet(port: number, servername: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/hello',
        servername,
        ca,
        headers: { host: servername },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve(Buffer.concat(chunks).toString()))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

test.run()
