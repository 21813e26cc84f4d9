import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { InvalidError } from '../core/index.ts'
import { checkSpec } from './spec-check.ts'
import type { InstanceSpec } from './types.ts'

const good: InstanceSpec = {
  id: 'uid-1/web',
  image: { digest: `sha256:${'a'.repeat(64)}`, path: '/images/a.wasm' },
  kind: 'http',
  env: { A: '1' },
  args: [],
  volumes: [{ guestPath: '/data', hostPath: '/var/lib/shoal/v1', readOnly: true }],
  network: false,
  limits: { memoryBytes: 64 << 20, cpuMillis: 250, requestTimeoutMs: 1000 },
}

test('a good spec passes', () => {
  checkSpec(good)
})

test('every problem is listed with its field path', () => {
  const bad = {
    ...good,
    id: '',
    kind: 'container',
    volumes: [{ guestPath: 'data', hostPath: '/x' }],
    limits: { memoryBytes: -1 },
    readinessProbe: { httpGet: { path: 'healthz' }, periodSeconds: 0 },
  } as unknown as InstanceSpec
  try {
    checkSpec(bad)
    assert.unreachable()
  } catch (error) {
    assert.instance(error, InvalidError)
    const fields = (error as InvalidError).causes.map((c) => c.field)
    assert.equal(fields, [
      'id',
      'kind',
      'volumes[0].guestPath',
      'limits.memoryBytes',
      'readinessProbe.httpGet.path',
      'readinessProbe.periodSeconds',
    ])
    assert.match(
      (error as Error).message,
      /^runtime: invalid instance spec: id is required; kind must be one of/,
    )
  }
})

test('a command cannot have an HTTP probe', () => {
  assert.throws(
    () => checkSpec({ ...good, kind: 'command', livenessProbe: { httpGet: { path: '/' } } }),
    /livenessProbe\.httpGet a command serves no HTTP/,
  )
})

test.run()
