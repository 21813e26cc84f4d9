import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseDocument } from 'yaml'
import { yamlNesting } from './yaml-depth.ts'

test('an upper bound of the nesting the parser would build, flow and block alike', () => {
  const manifest =
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {app: web, "x]": "[["}\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          args: ["a", [b]]\n          script: |\n            [[[[[[\n'
  const depth = yamlNesting(manifest, 100)
  assert.ok(depth >= 6 && depth <= 12, String(depth)) // spec.template.spec.containers[0].args[1]: 6 levels
  assert.is(yamlNesting('[[[x]]]', 100), 3)
  assert.is(yamlNesting('- - - x', 100), 3)
  assert.is(yamlNesting('a:\n  b:\n    c: 1\n', 100), 3)
  assert.ok(yamlNesting('- '.repeat(200) + 'x', 100) > 100)
  assert.ok(
    yamlNesting('['.repeat(100_000) + ']'.repeat(100_000), 100) > 100,
    'stops early, no recursion',
  )
})

test('never below what the parser builds, for a sample of shapes', () => {
  const deepest = (v: unknown): number =>
    v && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(deepest)) : 0
  for (const text of [
    'a: [1, {b: [2]}]',
    '- a:\n    - b:\n        c: [d]\n',
    'x: {y: {z: {w: 1}}}',
    '? [a, b]\n: c\n',
  ]) {
    assert.ok(yamlNesting(text, 100) >= deepest(parseDocument(text).toJS()), text)
  }
})

test.run()
