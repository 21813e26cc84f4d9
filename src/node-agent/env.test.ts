import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Container } from '../api/index.ts'
import { pod } from './agent-fixture.ts'
import { resolveEnv, type ConfigLookup } from './env.ts'

const store: Record<string, Record<string, string>> = {
  'Secret/default/db': { user: 'u', password: 'p', 'bad key': 'skipped' },
  'ConfigMap/default/cfg': { mode: 'fast', level: '3' },
}
const lookup: ConfigLookup = {
  get: async (kind, ns, name) => store[`${kind}/${ns}/${name}`],
}
const resolve = (c: Partial<Container>) =>
  resolveEnv(pod('p'), { name: 'main', image: 'x', ...c }, { lookup, hostIP: '10.0.0.7' })

test('envFrom first (prefixed, bad names skipped), then env in order, overriding', async () => {
  const r = await resolve({
    envFrom: [{ secretRef: { name: 'db' }, prefix: 'DB_' }, { configMapRef: { name: 'cfg' } }],
    env: [
      { name: 'mode', value: 'slow' },
      { name: 'URL', value: 'postgres://$(DB_user)@$(HOST)/$$(literal)' },
      { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'level' } } },
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    ],
  })
  assert.equal(r, {
    ok: true,
    env: {
      DB_user: 'u',
      DB_password: 'p',
      mode: 'slow',
      level: '3',
      URL: 'postgres://u@$(HOST)/$(literal)',
      LEVEL: '3',
      IP: '10.0.0.7',
      NS: 'default',
    },
  })
})

test('missing sources and keys: skipped when optional, else a problem in the kubelet’s words', async () => {
  const ref = (name: string, key: string, optional?: boolean) => ({
    name: 'X',
    valueFrom: { secretKeyRef: { name, key, optional } },
  })
  assert.equal(await resolve({ env: [ref('nope', 'k', true), ref('db', 'nokey', true)] }), {
    ok: true,
    env: {},
  })
  assert.equal(await resolve({ env: [ref('nope', 'k')] }), {
    ok: false,
    problem: 'secret "nope" not found',
  })
  assert.equal(await resolve({ env: [ref('db', 'nokey')] }), {
    ok: false,
    problem: "couldn't find key nokey in Secret default/db",
  })
  assert.equal(await resolve({ envFrom: [{ configMapRef: { name: 'gone' } }] }), {
    ok: false,
    problem: 'configmap "gone" not found',
  })
  assert.equal(
    await resolve({
      env: [{ name: 'L', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } }],
    }),
    { ok: false, problem: 'unsupported fieldRef "metadata.labels"' },
  )
})

test('a lookup that fails (plane away, nothing cached) is a problem too, not a throw', async () => {
  const failing: ConfigLookup = {
    get: async () => {
      throw new Error('agent: cannot read Secret default/db from the plane')
    },
  }
  const r = await resolveEnv(
    pod('p'),
    { name: 'm', image: 'x', envFrom: [{ secretRef: { name: 'db' } }] },
    { lookup: failing, hostIP: '1.2.3.4' },
  )
  assert.equal(r, { ok: false, problem: 'agent: cannot read Secret default/db from the plane' })
})

test.run()
