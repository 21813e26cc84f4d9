import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  configMapKey,
  dns1035Label,
  dns1123Label,
  dns1123Subdomain,
  envVarName,
  ianaServiceName,
  isIP,
  labelValue,
  qualifiedKey,
} from './name-rules.ts'

test('DNS names', () => {
  assert.equal(dns1123Label('web-1'), [])
  assert.equal(dns1123Label('a'.repeat(64)).length, 1)
  assert.equal(dns1123Label('Web').length, 1)
  assert.equal(dns1123Label('a.b').length, 1)
  assert.equal(dns1123Subdomain('a.b-c.d'), [])
  assert.equal(dns1123Subdomain('-a').length, 1)
  assert.equal(dns1035Label('web'), [])
  assert.equal(dns1035Label('1web').length, 1)
})

test('label keys and values', () => {
  assert.equal(qualifiedKey('app'), [])
  assert.equal(qualifiedKey('app.kubernetes.io/name'), [])
  assert.equal(qualifiedKey('My_Key.1'), [])
  assert.equal(qualifiedKey('a/b/c').length, 1)
  assert.equal(qualifiedKey('/x'), ['prefix part must be non-empty'])
  assert.equal(qualifiedKey('Bad_Prefix/x').length, 1)
  assert.equal(qualifiedKey('x'.repeat(64)), ['name part must be no more than 63 characters'])
  assert.equal(labelValue(''), [])
  assert.equal(labelValue('v1.2_3-a'), [])
  assert.equal(labelValue('-x').length, 1)
})

test('port names, env names, config keys, IPs', () => {
  assert.equal(ianaServiceName('http'), [])
  assert.ok(ianaServiceName('8080').length > 0)
  assert.ok(ianaServiceName('a--b').length > 0)
  assert.ok(ianaServiceName('very-long-port-name').length > 0)
  assert.equal(envVarName('MY_VAR.x-1'), [])
  assert.equal(envVarName('1X').length, 1)
  assert.equal(configMapKey('app.conf'), [])
  assert.ok(configMapKey('a/b').length > 0)
  assert.ok(configMapKey('..x').length > 0)
  assert.ok(isIP('10.0.0.1'))
  assert.ok(isIP('fd00::1'))
  assert.not.ok(isIP('10.0.0.256'))
  assert.not.ok(isIP('nope'))
})

test.run()
