// `shoal image build | push | ls | inspect | rm` as a user runs them: the CLI as a child process
// (its builds and uploads do not block the plane of this process) against a real plane over TLS
// with the admin kubeconfig it writes. Folders copied from firmware-images (hello-wat) and a tiny
// JavaScript service built with npm tools alone, pushed with a progress bar, pushed again as a
// no-op, listed, inspected (with the prepared artifact), removed — refused while a pod names the
// image by name:tag or by name@sha256 — and bad folders failing with what is wrong.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createHash } from 'node:crypto'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryLogger } from '../../src/core/index.ts'
import { createPlane, createTokenStore, type Plane } from '../../src/plane/index.ts'
import { shoalProcess } from './harness.ts'

const firmware = new URL('../../firmware-images/', import.meta.url).pathname
const dir = mkdtempSync(join(tmpdir(), 'shoal-cli-image-'))
const kubeconfig = join(dir, 'admin.kubeconfig')
let plane: Plane
const env = () => ({ HOME: dir, PATH: process.env.PATH, KUBECONFIG: kubeconfig })
const shoal = (...args: string[]) => shoalProcess(args, env())
const sha256 = (file: string) =>
  'sha256:' + createHash('sha256').update(readFileSync(file)).digest('hex')

const tinyJs = `import { Fields, OutgoingBody, OutgoingResponse, ResponseOutparam } from 'wasi:http/types@0.2.10'
export const incomingHandler = {
  handle(request, out) {
    request[Symbol.dispose]()
    const response = new OutgoingResponse(new Fields())
    response.setStatusCode(200)
    const body = response.body()
    ResponseOutparam.set(out, { tag: 'ok', val: response })
    const stream = body.write()
    stream.blockingWriteAndFlush(new TextEncoder().encode('tiny\\n'))
    stream[Symbol.dispose]()
    OutgoingBody.finish(body, undefined)
  },
}
`

function folders() {
  cpSync(join(firmware, 'hello-wat'), join(dir, 'wat-app'), { recursive: true })
  mkdirSync(join(dir, 'js-app'))
  const manifest = { name: 'tiny', version: '1.0.0', language: 'javascript', kind: 'http' }
  writeFileSync(
    join(dir, 'js-app/image.json'),
    JSON.stringify({ ...manifest, world: 'hello-http', source: 'app.js' }),
  )
  writeFileSync(join(dir, 'js-app/app.js'), tinyJs)
  cpSync(join(dir, 'wat-app'), join(dir, 'wat-bad'), { recursive: true })
  const wat = join(dir, 'wat-bad/handle.wat')
  writeFileSync(wat, readFileSync(wat, 'utf8').replace('(i32.const 16)', '(i32.const 16 oops)'))
  cpSync(join(dir, 'js-app'), join(dir, 'js-bad'), { recursive: true })
  writeFileSync(
    join(dir, 'js-bad/app.js'),
    'export const incomingHandler = {\n  handle(r, o) { let x = ; }\n}\n',
  )
  mkdirSync(join(dir, 'no-manifest'))
  mkdirSync(join(dir, 'bad-manifest'))
  writeFileSync(join(dir, 'bad-manifest/image.json'), '{"name": "Bad", "language": "rust"}')
}

test.before(async () => {
  const dataDir = join(dir, 'data')
  plane = await createPlane({
    dataDir,
    listen: '127.0.0.1:0', // the admin kubeconfig names the port it took
    mqttListen: '127.0.0.1:0',
    scheduler: false,
    logger: memoryLogger(),
  })
  const admin = JSON.parse(readFileSync(plane.adminKubeconfig!, 'utf8'))
  writeFileSync(kubeconfig, JSON.stringify(admin))
  admin.users[0].user.token = createTokenStore(dataDir).issue({ role: 'viewer', user: 'watcher' })
  writeFileSync(join(dir, 'viewer.kubeconfig'), JSON.stringify(admin))
  folders()
})

test.after(async () => {
  await plane?.close()
  rmSync(dir, { recursive: true, force: true })
})

let wat: string // hello-wat's digest

test('build a WAT folder: the .wasm and its metadata written, the digest printed', async () => {
  const out = join(dir, 'hw.wasm')
  const r = await shoal('image', 'build', join(dir, 'wat-app'), '-t', 'hello-wat:v1', '-o', out)
  assert.is(r.code, 0, r.err)
  wat = sha256(out)
  assert.is(r.out, `${wat}\n`)
  assert.match(r.err, `built hello-wat:v1 → ${out} (628B, `)
  const meta = JSON.parse(readFileSync(join(dir, 'hw.json'), 'utf8'))
  assert.equal(
    [meta.name, meta.version, meta.tag, meta.digest, meta.size, meta.kind, meta.world],
    ['hello-wat', '0.1.0', 'hello-wat:v1', wat, 628, 'handler', 'handler'],
  )
})

test('push with --progress: a bar from 0% to 100%, the tag set, the digest printed', async () => {
  const r = await shoal('image', 'push', join(dir, 'hw.wasm'), '--progress')
  assert.is(r.code, 0, r.err)
  assert.is(r.out, `${wat}\n`)
  const lines = r.err.trimEnd().split('\n')
  assert.is(lines[0], `hello-wat:v1 [>${' '.repeat(29)}]   0%  0B/628B`)
  assert.is(lines[1], `hello-wat:v1 [${'='.repeat(30)}] 100%  628B/628B`)
  assert.match(lines[2], /^hello-wat:v1: uploaded 628B, prepared for nodes as [a-f0-9]{12}$/)
  assert.is(lines[3], 'hello-wat:v1: tagged')
  assert.is(lines.length, 4)
})

test('push again: nothing uploaded, the tag unchanged; the same bytes under a second tag', async () => {
  const again = await shoal('image', 'push', join(dir, 'hw.wasm'), 'hello-wat:v1', '--progress')
  assert.is(again.code, 0, again.err)
  assert.is(again.out, `${wat}\n`)
  const short = wat.slice(7, 19)
  assert.is(
    again.err,
    `hello-wat:v1: ${short} is in the registry already, not uploaded\nhello-wat:v1: points at it already\n`,
  )
  const latest = await shoal('image', 'push', join(dir, 'hw.wasm'), 'hello-wat')
  assert.is(
    latest.err,
    `hello-wat:latest: ${short} is in the registry already, not uploaded\nhello-wat:latest: tagged\n`,
  )
})

test('push a JavaScript folder: built with npm tools alone, then uploaded', async () => {
  const r = await shoal('image', 'push', join(dir, 'js-app'), 'tiny:1')
  assert.is(r.code, 0, r.err)
  assert.match(r.out, /^sha256:[a-f0-9]{64}\n$/)
  assert.match(r.err, /^building tiny:1\.0\.0 \(javascript, http\)\n/)
  assert.match(
    r.err,
    /\ntiny:1: uploaded 13(\.\d)?MB, prepared for nodes as [a-f0-9]{12}\ntiny:1: tagged\n$/,
  )
})

test('ls: a row per name:tag, newest first, as docker image ls', async () => {
  const r = await shoal('image', 'ls')
  assert.is(r.code, 0, r.err)
  const rows = r.out
    .trimEnd()
    .split('\n')
    .map((l) => l.split(/\s{3,}/))
  assert.equal(rows[0], ['NAME', 'TAG', 'DIGEST', 'KIND', 'SIZE', 'AGE'])
  assert.equal(
    rows.slice(1).map((c) => c.slice(0, 4)),
    [
      ['tiny', '1', rows[1][2], 'http'],
      ['hello-wat', 'latest', wat.slice(7, 19), 'handler'],
      ['hello-wat', 'v1', wat.slice(7, 19), 'handler'],
    ],
  )
  assert.is(rows[2][4], '628B')
  assert.match(rows[1][4], /^13(\.\d)?MB$/)
  assert.match(rows[2][5], /^\d+s$/)
})

test('inspect by name:tag and by a digest prefix: kind, world, exports, prepared artifact, tags', async () => {
  const r = await shoal('image', 'inspect', 'hello-wat:v1')
  assert.is(r.code, 0, r.err)
  const img = JSON.parse(r.out)
  assert.equal(
    [
      img.name,
      img.tag,
      img.digest,
      img.size,
      img.kind,
      img.world,
      img.version,
      img.tags,
      img.exports,
    ],
    [
      'hello-wat',
      'v1',
      wat,
      628,
      'handler',
      'handler',
      '0.1.0',
      ['hello-wat:latest', 'hello-wat:v1'],
      ['handle'],
    ],
  )
  assert.match(img.prepared.digest, /^sha256:[a-f0-9]{64}$/)
  assert.match(img.prepared.transpiler, /^jco-transpile-/)
  const byPrefix = JSON.parse((await shoal('image', 'inspect', wat.slice(7, 19))).out)
  assert.equal([byPrefix.digest, byPrefix.prepared], [wat, img.prepared])
  const missing = await shoal('image', 'inspect', 'nope:1')
  assert.equal(
    [missing.code, missing.err],
    [1, 'Error from server (NotFound): registry: tag nope:1 not found\n'],
  )
})

test('pods name images by name:tag and by name@sha256; rm refuses what they use', async () => {
  const pod = (name: string, image: string) =>
    shoalProcess(
      ['apply', '-f', '-'],
      env(),
      `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec: {containers: [{name: c, image: "${image}"}]}\n`,
    )
  assert.is((await pod('by-tag', 'hello-wat:v1')).out, 'pod/by-tag created\n')
  assert.is((await pod('by-digest', `hello-wat@${wat}`)).out, 'pod/by-digest created\n')

  const tagInUse = await shoal('image', 'rm', 'hello-wat:v1')
  assert.equal(
    [tagInUse.code, tagInUse.err],
    [
      1,
      'error: image hello-wat:v1 is in use by pod default/by-tag (--force removes it all the same)\n',
    ],
  )
  const untagged = await shoal('image', 'rm', 'hello-wat:latest')
  assert.equal([untagged.code, untagged.out], [0, 'Untagged: hello-wat:latest\n'])
  const digestInUse = await shoal('image', 'rm', wat)
  assert.is(
    digestInUse.err,
    `error: image ${wat} is in use by pod default/by-digest, pod default/by-tag (--force removes it all the same)\n`,
  )
  const viewer = await shoalProcess(['image', 'rm', 'tiny:1'], {
    ...env(),
    KUBECONFIG: join(dir, 'viewer.kubeconfig'),
  })

  assert.is(viewer.code, 1)
  assert.match(viewer.err, /^Error from server \(Forbidden\): /, viewer.err)

  assert.is((await shoal('delete', 'pod', 'by-tag', 'by-digest')).code, 0)
  const tagged = await shoal('image', 'rm', wat)
  assert.is(
    tagged.err,
    `error: image ${wat} is tagged as hello-wat:v1: untag it first (shoal image rm hello-wat:v1) or pass --force\n`,
  )
  const both = await shoal('image', 'rm', 'hello-wat:v1', wat)
  assert.equal([both.code, both.out], [0, `Untagged: hello-wat:v1\nDeleted: ${wat}\n`], both.err)
  const ls = await shoal('image', 'ls')
  assert.not.match(ls.out, 'hello-wat')
  assert.match(ls.out, /\ntiny {3,}1 /)
  const tiny = ls.out.split('\n')[1].split(/\s+/)[2]
  const forced = await shoal('image', 'rm', '--force', tiny)
  assert.is(forced.code, 0, forced.err)
  assert.match(forced.out, new RegExp(`^Untagged: tiny:1\nDeleted: sha256:${tiny}[a-f0-9]{52}\n$`))
  assert.is((await shoal('image', 'ls')).out, 'NAME   TAG   DIGEST   KIND   SIZE   AGE\n')
})

test('bad folders fail naming what is wrong', async () => {
  const build = (name: string) =>
    shoal('image', 'build', join(dir, name), '-o', join(dir, 'x.wasm'))
  const wat = await build('wat-bad')
  assert.is(wat.code, 1)
  assert.match(
    wat.err,
    /\nerror: image build: wat-bad\/handle\.wat:9:23: error: unexpected token oops, expected \)\.\n/,
  )
  const js = await build('js-bad')
  assert.is(js.code, 1)
  assert.match(js.err, /\nerror: image build: js-bad\/app\.js:2:26: Unexpected token\n/)
  const none = await build('no-manifest')
  assert.is(
    none.err,
    `error: image build: ${join(dir, 'no-manifest')}: no image.json (the manifest: name, version, language, kind, world)\n`,
  )
  const bad = await build('bad-manifest')
  assert.is(
    bad.err,
    `error: image build: ${join(dir, 'bad-manifest/image.json')}: name must be lowercase letters, digits and . _ - (like hello-wat); version must be x.y.z; language must be one of javascript, wat, c; kind must be one of http, handler, command; world is missing\n`,
  )
  writeFileSync(join(dir, 'core.wasm'), Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))
  const core = await shoal('image', 'push', join(dir, 'core.wasm'), 'core:1', '--progress')
  assert.is(core.code, 1)
  assert.match(
    core.err,
    /100% {2}8B\/8B\nError from server \(\w+\): registry: upload is a core WebAssembly module, not a component/,
    core.err,
  )
  const tag = await shoal('image', 'push', join(dir, 'js-app'), 'Not A Tag')
  assert.equal(
    [tag.code, tag.err],
    [1, 'error: "Not A Tag" is not a name:tag (like hello-wat:1.0 or team/app:v2)\n'],
  )
})

test.run()
