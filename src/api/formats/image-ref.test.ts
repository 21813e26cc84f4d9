import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseImageRef } from './image-ref.ts'

const hex = 'a'.repeat(64)

test('digests, names and oci references parse', () => {
  assert.equal(parseImageRef(`sha256:${hex}`), { scheme: 'digest', digest: `sha256:${hex}` })
  assert.equal(parseImageRef('busybox'), { scheme: 'name', name: 'busybox' })
  assert.equal(parseImageRef('hello-http:1.0'), { scheme: 'name', name: 'hello-http', tag: '1.0' })
  assert.equal(parseImageRef(`team/app:v2@sha256:${hex}`), {
    scheme: 'name',
    name: 'team/app',
    tag: 'v2',
    digest: `sha256:${hex}`,
  })
  assert.equal(parseImageRef('oci://reg.local:5000/team/app:1.2'), {
    scheme: 'oci',
    host: 'reg.local:5000',
    repository: 'team/app',
    tag: '1.2',
  })
})

test('malformed references are undefined', () => {
  for (const bad of [
    '',
    'Hello',
    'sha256:abc',
    'app:',
    'oci://',
    'oci://host',
    'oci://ho st/app',
    'a b',
    ':tag',
  ])
    assert.is(parseImageRef(bad), undefined, bad)
})

test.run()
