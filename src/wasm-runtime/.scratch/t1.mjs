import { readFileSync, mkdirSync, writeFileSync } from 'node:fs'
const { transpileBytes } = await import('@bytecodealliance/jco-transpile')
for (const app of process.argv.slice(2)) {
  const t0 = performance.now()
  const bytes = readFileSync(`/tmp/rt-exp/images/${app}.wasm`)
  const r = await transpileBytes(bytes, { name: app, instantiation: 'sync', noTypescript: true, emitTypescriptDeclarations: false })
  console.log(app, (performance.now()-t0).toFixed(0), Object.keys(r.files), r.imports, r.exports)
  mkdirSync(`/tmp/rt-exp/${app}`, {recursive:true})
  for (const [k,v] of Object.entries(r.files)) writeFileSync(`/tmp/rt-exp/${app}/${k}`, v)
}
