import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Container, DesiredPod, Volume } from '../api/index.ts'
import { pod } from './agent-fixture.ts'
import { writeConfigVolumes, type ConfigFiles } from './config-volumes.ts'

const objects = new Map<string, Record<string, Uint8Array>>()
const lookup: ConfigFiles = {
  bytes: async (kind, ns, name) => objects.get(`${kind}/${ns}/${name}`),
}
const binary = Uint8Array.from([0, 0xff, 0xfe, 0x80, 10])
objects.set('Secret/default/tls', { 'tls.key': binary, 'tls.crt': Buffer.from('CERT') })
objects.set('ConfigMap/default/app', {
  'app.yaml': Buffer.from('mode: fast\n'),
  level: Buffer.from('3'),
})

function withVolumes(
  volumes: Volume[],
  mounts = volumes.map((v) => v.name),
): [DesiredPod, Container] {
  const p = pod(
    'web',
    {},
    { volumeMounts: mounts.map((name) => ({ name, mountPath: `/etc/${name}` })) },
  )
  p.spec.volumes = volumes
  return [p, p.spec.containers[0]]
}

const read = (dir: string, path: string) => readFileSync(join(dir, 'config', path))

test('secret, configMap and projected volumes become files: every key, or the items chosen at their paths', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-cfgvol-'))
  const [p, c] = withVolumes([
    { name: 'tls', secret: { secretName: 'tls' } },
    {
      name: 'app',
      configMap: { name: 'app', items: [{ key: 'app.yaml', path: 'conf/app.yaml' }] },
    },
    {
      name: 'all',
      projected: {
        sources: [
          { secret: { name: 'tls', items: [{ key: 'tls.crt', path: 'crt' }] } },
          { configMap: { name: 'app' } },
        ],
      },
    },
    { name: 'scratch', emptyDir: {} },
  ])
  assert.equal(await writeConfigVolumes(p, c, { lookup, podDir: dir }), { ok: true })
  assert.equal(new Uint8Array(read(dir, 'tls/tls.key')), binary, 'binary data intact')
  assert.is(read(dir, 'tls/tls.crt').toString(), 'CERT')
  assert.equal(readdirSync(join(dir, 'config', 'app'), { recursive: true }).sort(), [
    'conf',
    'conf/app.yaml',
  ])
  assert.is(read(dir, 'app/conf/app.yaml').toString(), 'mode: fast\n')
  assert.equal(readdirSync(join(dir, 'config', 'all')).sort(), ['app.yaml', 'crt', 'level'])
  assert.is(statSync(join(dir, 'config', 'tls', 'tls.key')).mode & 0o777, 0o600)
  assert.is(statSync(join(dir, 'config', 'tls')).mode & 0o777, 0o700)
  assert.equal(
    readdirSync(join(dir, 'config')).sort(),
    ['all', 'app', 'tls'],
    'nothing left beside',
  )

  // written anew at the next start: a key gone from the Secret is gone from the volume
  objects.set('Secret/default/tls', { 'tls.crt': Buffer.from('CERT2') })
  assert.equal(await writeConfigVolumes(p, c, { lookup, podDir: dir }), { ok: true })
  assert.equal(readdirSync(join(dir, 'config', 'tls')), ['tls.crt'])
  assert.is(read(dir, 'tls/tls.crt').toString(), 'CERT2')
  rmSync(dir, { recursive: true, force: true })
})

test('a missing object or key is a problem named, unless optional; a path may not climb out', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-cfgvol-'))
  const cases: [Volume, string | undefined][] = [
    [{ name: 'v', secret: { secretName: 'nope' } }, 'volume "v": secret "nope" not found'],
    [{ name: 'v', secret: { secretName: 'nope', optional: true } }, undefined],
    [
      { name: 'v', configMap: { name: 'app', items: [{ key: 'missing', path: 'm' }] } },
      'volume "v": configmap "app" has no key "missing"',
    ],
    [
      { name: 'v', configMap: { name: 'app', items: [{ key: 'level', path: '../../escape' }] } },
      'volume "v": item path "../../escape" must be a relative path inside the volume',
    ],
    [
      { name: 'v', configMap: { name: 'app', items: [{ key: 'level', path: '/etc/passwd' }] } },
      'volume "v": item path "/etc/passwd" must be a relative path inside the volume',
    ],
  ]
  for (const [volume, problem] of cases) {
    const [p, c] = withVolumes([volume])
    const r = await writeConfigVolumes(p, c, { lookup, podDir: dir })
    assert.equal(r, problem ? { ok: false, problem } : { ok: true }, JSON.stringify(volume))
  }
  assert.not.ok(readdirSync(dir, { recursive: true }).some((f) => String(f).includes('escape')))
  rmSync(dir, { recursive: true, force: true })
})

test('volumes the container does not mount are not written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-cfgvol-'))
  const [p, c] = withVolumes([{ name: 'tls', secret: { secretName: 'tls' } }], [])
  assert.equal(await writeConfigVolumes(p, c, { lookup, podDir: dir }), { ok: true })
  assert.equal(readdirSync(dir), [])
  rmSync(dir, { recursive: true, force: true })
})

test.run()
