import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { complete } from './completion.ts'

const sources = {
  flags: (path: string[]) => [`--${path.join('-')}-flag`, '--namespace'],
  names: async (type: string) => (type === 'nodes' ? ['pi-1', 'pi-2'] : [`${type}-one`]),
  contexts: () => ['home', 'lab'],
}

test('verbs first, then subcommands, types, names, contexts and flags', async () => {
  assert.ok((await complete([''], sources)).includes('rollout'))
  assert.equal(await complete(['rollout', ''], sources), [
    'status',
    'history',
    'undo',
    'restart',
    'pause',
    'resume',
  ])
  assert.equal(await complete(['rollout', 'status', 'deployments', ''], sources), [
    'deployments-one',
  ])
  assert.ok((await complete(['get', 'po'], sources)).includes('pods'))
  assert.ok((await complete(['get', ''], sources)).includes('deploy'))
  assert.equal(await complete(['describe', 'svc', ''], sources), ['svc-one'])
  assert.equal(await complete(['drain', ''], sources), ['pi-1', 'pi-2'])
  assert.equal(await complete(['config', 'use-context', ''], sources), ['home', 'lab'])
  assert.equal(await complete(['get', 'pods', '--'], sources), ['--get-flag', '--namespace'])
  assert.equal(await complete(['config', 'view', '-'], sources), [
    '--config-view-flag',
    '--namespace',
  ])
  assert.equal(await complete(['completion', ''], sources), ['bash', 'zsh'])
  assert.equal(await complete(['image', ''], sources), ['build', 'push', 'ls', 'inspect', 'rm'])
  assert.equal(await complete(['image', 'push', '--'], sources), [
    '--image-push-flag',
    '--namespace',
  ])
  assert.equal(await complete(['get', '-n', ''], sources), ['namespaces-one'])
  assert.equal(await complete(['get', '--context', ''], sources), ['home', 'lab'])
  assert.equal(await complete(['-n', 'edge', 'get', 'pods', ''], sources), ['pods-one'])
})

test.run()
