import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  formatRequirements,
  labelSelectorRequirements,
  labelSelectorToString,
  matchesLabels,
  matchesLabelSelector,
  parseLabelSelector,
  type Requirement,
} from './label-selector.ts'

function parse(text: string): Requirement[] {
  const r = parseLabelSelector(text)
  if (!r.ok) throw new Error(r.error)
  return r.value
}

function error(text: string): string {
  const r = parseLabelSelector(text)
  assert.not.ok(r.ok, `expected ${text} to fail`)
  return r.ok ? '' : r.error
}

test('parses every operator the way kubectl sends them, sorted by key', () => {
  assert.equal(parse('app in (nginx,x),!foo,tier=web,env!=prod,key,x notin (a)'), [
    { key: 'app', operator: 'In', values: ['nginx', 'x'] },
    { key: 'env', operator: 'NotEquals', values: ['prod'] },
    { key: 'foo', operator: 'DoesNotExist', values: [] },
    { key: 'key', operator: 'Exists', values: [] },
    { key: 'tier', operator: 'Equals', values: ['web'] },
    { key: 'x', operator: 'NotIn', values: ['a'] },
  ])
  assert.equal(parse(''), [])
  assert.equal(parse('  a == b , c>3 '), [
    { key: 'a', operator: 'Equals', values: ['b'] },
    { key: 'c', operator: 'GreaterThan', values: ['3'] },
  ])
  assert.equal(parse('example.com/role=,x in (in)'), [
    { key: 'example.com/role', operator: 'Equals', values: [''] },
    { key: 'x', operator: 'In', values: ['in'] },
  ])
})

test('matching follows Kubernetes semantics', () => {
  const labels = { app: 'nginx', tier: 'web', key: '', n: '5' }
  assert.ok(
    matchesLabels(parse('app in (nginx,x),!foo,tier=web,env!=prod,key,x notin (a)'), labels),
  )
  assert.ok(matchesLabels(parse(''), {}))
  assert.ok(matchesLabels(parse('n>4,n<6'), labels))
  assert.not.ok(matchesLabels(parse('n>5'), labels))
  assert.not.ok(matchesLabels(parse('app=web'), labels))
  assert.not.ok(matchesLabels(parse('!app'), labels))
  assert.not.ok(matchesLabels(parse('missing'), labels))
  assert.ok(matchesLabels(parse('missing notin (a)'), labels))
  assert.not.ok(matchesLabels(parse('missing in (a)'), labels))
})

test('bad selector strings give errors that name the bad part', () => {
  assert.match(error('app in nginx'), /found 'nginx' at position 7 .* expected '\('/)
  assert.match(error('app in (a,b'), /ends before '\)'/)
  assert.match(error('app=a=b'), /found '=' at position 5/)
  assert.match(error('app,'), /ends with ','/)
  assert.match(error('a b'), /found 'b' at position 2 of "a b", expected one of/)
  assert.match(error('Bad Key!x'), /found 'Key'/)
  assert.match(error('=x'), /found '=' at position 0 .* expected a label key/)
  assert.match(error('app=no/slash'), /invalid label value "no\/slash" for app/)
  assert.match(error('-app=x'), /invalid label key "-app"/)
  assert.match(error('n>x'), /must be an integer/)
  assert.match(error('app in (a'), /ends before/)
})

test('LabelSelector objects convert to requirements, strings and matchers', () => {
  const sel = {
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In' as const, values: ['b', 'a'] },
      { key: 'old', operator: 'DoesNotExist' as const },
    ],
  }
  assert.equal(labelSelectorToString(sel), { ok: true, value: 'app=web,!old,tier in (a,b)' })
  assert.ok(matchesLabelSelector(sel, { app: 'web', tier: 'a' }))
  assert.not.ok(matchesLabelSelector(sel, { app: 'web', tier: 'a', old: '1' }))
  assert.ok(matchesLabelSelector({}, { any: 'thing' }), 'empty selector selects everything')
  assert.not.ok(matchesLabelSelector(undefined, { any: 'thing' }), 'null selector selects nothing')
  const bad = labelSelectorRequirements({ matchExpressions: [{ key: 'a', operator: 'In' }] })
  assert.equal(bad, { ok: false, error: 'values for "a" must be set with operator In' })
  assert.is(formatRequirements(parse('a notin (y,x),b')), 'a notin (x,y),b')
})

test.run()
