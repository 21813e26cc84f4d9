// The import object one instance is given: what the guest reads from wasi:cli/environment is
// only what its spec grants. No sample image calls initial-cwd (hello-http imports it, but
// StarlingMonkey never calls it), so this asserts on the import object itself.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { wasiImports } from './wasi-imports.ts'

type Environment = {
  getEnvironment(): [string, string][]
  getArguments(): string[]
  initialCwd(): string | undefined
}

function environment(env: Record<string, string>, args: string[]): Environment {
  const config = { env, args, preopens: {}, readOnlyPaths: [], network: false }
  return wasiImports(config, () => undefined)['wasi:cli/environment'] as Environment
}

test('initial-cwd is none: the host working directory does not leak in', () => {
  assert.is(environment({}, []).initialCwd(), undefined)
})

test('env and args are the spec’s own', () => {
  const env = environment({ A: '1' }, ['job', '-v'])
  assert.equal(env.getEnvironment(), [['A', '1']])
  assert.equal(env.getArguments(), ['job', '-v'])
})

test.run()
