import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { memoryLogger, ShoalError } from '../core/index.ts'
import type { IngressCertificate } from '../mesh/index.ts'
import { followIngressTls, ingressCertificates } from './ingress-certificates.ts'

const secrets: Record<string, Record<string, string>> = {
  'shop/site-tls': { 'tls.crt': 'CERT', 'tls.key': 'KEY' },
  'shop/half': { 'tls.crt': 'CERT' },
}
const asked: string[] = []
const lookup = async (ns: string, name: string) => {
  asked.push(`${ns}/${name}`)
  if (name === 'forbidden') throw new ShoalError('Forbidden', 'agent: GET … answered HTTP 403')
  return secrets[`${ns}/${name}`]
}

test('each named Secret once; refused, missing or incomplete ones left out with a log line', async () => {
  const log = memoryLogger()
  asked.length = 0
  const certs = await ingressCertificates(
    [
      { secret: 'shop/site-tls', hosts: ['a.example'] },
      { secret: 'shop/site-tls', hosts: ['b.example'] },
      { secret: 'shop/forbidden', hosts: [] },
      { secret: 'shop/half', hosts: [] },
      { secret: 'shop/none', hosts: [] },
    ],
    lookup,
    log,
  )
  assert.equal(certs, [{ secret: 'shop/site-tls', cert: 'CERT', key: 'KEY' }])
  assert.equal(asked, ['shop/site-tls', 'shop/forbidden', 'shop/half', 'shop/none'])
  assert.equal(
    log.lines.map((l) => `${l.level} ${l.msg} ${l.fields?.secret}`),
    [
      'warn cannot read an Ingress TLS Secret shop/forbidden',
      'warn an Ingress TLS Secret has no tls.crt and tls.key shop/half',
      'warn an Ingress TLS Secret has no tls.crt and tls.key shop/none',
    ],
  )
})

test('followed: fetched when the ingressTls of a table changes, not for other changes', async () => {
  const set: IngressCertificate[][] = []
  asked.length = 0
  const follow = followIngressTls(
    { setIngressCertificates: (c) => void set.push([...c]) },
    lookup,
    memoryLogger(),
  )
  const tls = [{ secret: 'shop/site-tls', hosts: ['a.example'] }]
  await follow({ revision: 1, services: [], nodes: [], ingressTls: tls })
  await follow({ revision: 2, services: [], nodes: [], ingressTls: tls })
  await follow({ revision: 3, services: [], nodes: [] })
  assert.equal(set, [[{ secret: 'shop/site-tls', cert: 'CERT', key: 'KEY' }], []])
  assert.equal(asked, ['shop/site-tls'])
})

test.run()
