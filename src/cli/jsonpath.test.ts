import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { jsonpath } from './jsonpath.ts'

const list = {
  kind: 'List',
  items: [
    {
      metadata: { name: 'a', labels: { 'app.kubernetes.io/name': 'web' } },
      status: { conditions: [{ type: 'Ready', status: 'True' }], podIP: '10.0.0.1' },
      spec: {
        containers: [
          { name: 'c1', image: 'i:1' },
          { name: 'c2', image: 'i:2' },
        ],
      },
    },
    {
      metadata: { name: 'b', labels: {} },
      status: { conditions: [{ type: 'Ready', status: 'False' }] },
      spec: { containers: [{ name: 'c1', image: 'i:3' }] },
    },
  ],
}

test('paths, wildcards, indexes, slices and the recursive descent', () => {
  assert.is(jsonpath('{.kind}', list), 'List')
  assert.is(jsonpath('{.items[*].metadata.name}', list), 'a b')
  assert.is(jsonpath('{.items[0].spec.containers[*].image}', list), 'i:1 i:2')
  assert.is(jsonpath('{.items[-1].metadata.name}', list), 'b')
  assert.is(jsonpath('{.items[0:1].metadata.name}', list), 'a')
  assert.is(jsonpath('{..podIP}', list), '10.0.0.1')
  assert.is(jsonpath("{.items[0].metadata.labels['app.kubernetes.io/name']}", list), 'web')
  assert.is(jsonpath('{.items[1].status.podIP}', list), '')
  assert.is(jsonpath('{.items[1].metadata.labels}', list), '{}')
})

test('filters, range with literals, text around expressions', () => {
  assert.is(jsonpath('{.items[?(@.status.conditions[0].status=="True")].metadata.name}', list), 'a')
  assert.is(
    jsonpath(
      '{range .items[*]}{.metadata.name}{"\\t"}{.spec.containers[0].image}{"\\n"}{end}',
      list,
    ),
    'a\ti:1\nb\ti:3\n',
  )
  assert.is(jsonpath('name={.items[0].metadata.name}!', list), 'name=a!')
  assert.is(jsonpath('{.items[?(@.status.podIP)].metadata.name}', list), 'a')
})

test('a malformed template is an error naming it', () => {
  assert.throws(() => jsonpath('{.items', list), /unclosed action/)
  assert.throws(() => jsonpath('{end}', list), /not in range/)
  assert.throws(() => jsonpath('{range .items[*]}x', list), /unclosed range/)
})

test.run()
