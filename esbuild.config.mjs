// Bundles plane, agent and CLI into one file, dist/shoal.mjs (and the library's entry,
// dist/index.mjs: src/index.ts), and beside it one file per module
// the wasm runtime runs in a worker thread, dist/shoal-<name>.mjs (the names and sources are
// threadEntries in src/wasm-runtime/thread-spawn.ts; test/bundle.test.ts checks they match).
// Kept external, found in node_modules at run time: native accelerators with a pure-JS fallback
// (cbor-extract), the jco packages, which load their own worker thread, native helper and
// wasm files by path (see README "On a Pi"), and etcd3 (its gRPC .proto files, by path).
// `node esbuild.config.mjs --ui-only`: only the dashboard (dist/ui), each file written only when
// its bytes changed (test/e2e/dashboard.test.ts builds it so while other tests may be copying dist/).
import { build } from 'esbuild'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'

// the fleet dashboard (src/ui), served by the plane at /ui from dist/ui: one script and one
// style sheet for the browser, no CDN (sites may be offline), small enough for a Pi to serve
async function buildUi() {
  const ui = await build({
    entryPoints: { app: 'src/ui/main.ts', style: 'src/ui/style.css' },
    outdir: 'dist/ui',
    bundle: true,
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    format: 'esm',
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    write: false,
    logLevel: 'warning',
  })
  const files = [
    ...ui.outputFiles.map((f) => ({ path: relative('.', f.path), bytes: f.contents })),
    { path: 'dist/ui/index.html', bytes: readFileSync('src/ui/index.html') },
  ]
  mkdirSync('dist/ui', { recursive: true })
  for (const f of files)
    if (!existsSync(f.path) || !readFileSync(f.path).equals(Buffer.from(f.bytes)))
      writeFileSync(f.path, f.bytes)
  return files.map((f) => f.path)
}

if (process.argv.includes('--ui-only')) {
  await buildUi()
  process.exit(0)
}

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'))

const threadEntries = {
  host: 'src/wasm-runtime/worker/host-main.ts',
  io: 'src/wasm-runtime/worker/io-main.ts',
  transpile: 'src/wasm-runtime/transpile.ts',
  instrument: 'src/wasm-runtime/module-cache.ts',
}

const { metafile } = await build({
  entryPoints: {
    shoal: 'src/main.ts',
    index: 'src/index.ts', // the package's entry: createPlane(), createAgent() (src/embed)
    ...Object.fromEntries(Object.entries(threadEntries).map(([k, v]) => [`shoal-${k}`, v])),
  },
  outdir: 'dist',
  // chunks along main.ts's dynamic imports: `shoal agent` loads the agent's code, not the plane's
  splitting: true,
  chunkNames: 'shoal-chunk-[name]-[hash]', // beside shoal.mjs: thread entries are found by name beside the code that starts them
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node20.19',
  format: 'esm',
  sourcemap: 'linked',
  legalComments: 'none',
  // whitespace and comments out, names kept (stack traces stay readable; the source map maps
  // back): the bundle's source text stays in memory as long as the process runs, and a single
  // non-ASCII character in a comment made V8 hold all of it as two bytes a character (2.2 MB of
  // text was 4.4 MB of heap in every agent)
  minifyWhitespace: true,
  minifySyntax: true,
  external: [
    'cbor-extract',
    '@bytecodealliance/preview2-shim',
    '@bytecodealliance/jco-transpile',
    '@bytecodealliance/jco',
    // loaded only by a plane on etcd (--store etcd://…); reads its .proto files by path
    'etcd3',
  ],
  define: { __SHOAL_VERSION__: JSON.stringify(version) },
  banner: {
    // CommonJS dependencies inside an ESM bundle still call require().
    js: "#!/usr/bin/env node\nimport { createRequire as __shoalCreateRequire } from 'node:module';\nconst require = __shoalCreateRequire(import.meta.url);",
  },
  metafile: true,
  logLevel: 'warning',
})

const uiFiles = await buildUi()

// files of an earlier build that this one did not write (a renamed thread entry, old chunks) go
const written = new Set(
  [...Object.keys(metafile.outputs), ...uiFiles].map((f) => f.replace(/^dist\//, '')),
)
for (const f of readdirSync('dist', { recursive: true, withFileTypes: true })) {
  const path = join(f.parentPath ?? f.path, f.name).replace(/^dist\//, '')
  if (f.isFile() && !written.has(path)) rmSync(`dist/${path}`)
}
