import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { NotFoundError } from '../core/index.ts'
import { imageDigests } from './image-digests.ts'

const a = 'sha256:' + 'a'.repeat(64)
const b = 'sha256:' + 'b'.repeat(64)
const tags: Record<string, string> = {
  'hello-http:1.0': a,
  'hello-http:latest': b,
  'team/app:2': a,
}
const resolve = imageDigests({
  getTag: (name, tag) => {
    const digest = tags[`${name}:${tag}`]
    return digest ? Promise.resolve({ digest }) : Promise.reject(new NotFoundError('no tag'))
  },
})

test('tags resolve to their digest; a digest or a pinned reference is its own', async () => {
  assert.equal(await resolve('hello-http:1.0'), { digest: a })
  assert.equal(await resolve('hello-http'), { digest: b }, 'no tag: latest')
  assert.equal(await resolve(a), { digest: a })
  assert.equal(await resolve(`hello-http:9@${b}`), { digest: b })
  assert.equal(await resolve(`hello-http@${a}`), { digest: a }, 'pinned without a tag')
  assert.equal(await resolve(`untagged-name@${a}`), { digest: a }, 'the digest, not the name')
  assert.equal(await resolve('oci://reg.example:5000/team/app:2'), { digest: a })
})

test('what cannot be resolved says why', async () => {
  assert.equal(await resolve('nope:1'), {
    error: "image nope:1 is not in the plane's registry (push and tag it first)",
  })
  assert.match(JSON.stringify(await resolve('oci://reg.example/x/y:1')), /import it into the plane/)
  assert.equal(await resolve('UPPER'), { error: '"UPPER" is not an image reference' })
})

test.run()
