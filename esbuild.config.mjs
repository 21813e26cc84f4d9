// Bundles plane, agent and CLI into one file: dist/shoal.mjs.
// Kept external: native accelerators with a pure-JS fallback (cbor-extract) and
// anything loaded by path at run time (worker files, wasm); see README "On a Pi".
import { build } from 'esbuild'
import { readFileSync } from 'node:fs'

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'))

await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/shoal.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20.19',
  format: 'esm',
  sourcemap: 'linked',
  legalComments: 'none',
  external: ['cbor-extract'],
  define: { __SHOAL_VERSION__: JSON.stringify(version) },
  banner: {
    // CommonJS dependencies inside an ESM bundle still call require().
    js: "#!/usr/bin/env node\nimport { createRequire as __shoalCreateRequire } from 'node:module';\nconst require = __shoalCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
})
