// A prepared image: what the transpiler made of a component, in one file that travels and is
// verified as one blob (the plane's registry makes it once, at push; a node only unpacks it).
// The file is one CBOR map (cbor-x, plain maps, byte strings untagged):
//   { format: "shoal.prepared/1", component: "sha256:<hex>" (the component it was made from),
//     transpiler: "jco-transpile-0.15.0", exports: ["handle", …] (top-level export names),
//     files: { "component.js": <glue>, "component.core.wasm": <bytes>, "component.core2.wasm", … } }
// Its own sha256 is its address; decodePrepared() refuses anything else with a sentence saying what.
import { Decoder, Encoder } from 'cbor-x'
import { InvalidError } from '../core/index.ts'
import { checkComponent, checkDigest, checkDigestFormat } from './image-check.ts'
import { sha256Of } from './image-loader.ts'
import { offload } from './thread-spawn.ts'
import { findTranspiler, GLUE_NAME, type TranspileOutput } from './transpile.ts'
import type { WorkloadKind } from './types.ts'

export const PREPARED_FORMAT = 'shoal.prepared/1'

export interface PreparedImage {
  format: typeof PREPARED_FORMAT
  component: string
  transpiler: string
  exports: string[]
  files: Record<string, Uint8Array>
}

const cbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false })
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true })
const fileName = /^component(\.js|\.core\d*\.wasm)$/

/** The workload kind top-level export names make a component, or undefined. */
export function kindOfExports(names: string[]): WorkloadKind | undefined {
  if (names.some((n) => n.startsWith('wasi:http/incoming-handler'))) return 'http'
  if (names.includes('handle')) return 'handler'
  if (names.some((n) => n.startsWith('wasi:cli/run'))) return 'command'
  return undefined
}

export function encodePrepared(p: PreparedImage): Uint8Array {
  const files = Object.fromEntries(Object.entries(p.files).sort(([a], [b]) => (a < b ? -1 : 1)))
  return cbor.encode({ ...p, files })
}

const cborNull = Uint8Array.of(0xf6)

function refuse(label: string, what: string): InvalidError {
  return new InvalidError(`runtime: prepared image ${label} ${what}`)
}

/** The prepared image in bytes; InvalidError naming `label` and the problem when it is not one. */
export function decodePrepared(bytes: Uint8Array, label: string): PreparedImage {
  let v: Partial<PreparedImage> | undefined
  try {
    v = decoder.decode(bytes) as Partial<PreparedImage>
  } catch (cause) {
    throw new InvalidError(`runtime: prepared image ${label} is not CBOR`, [], { cause })
  } finally {
    // cbor-x keeps a DataView of the last input it decoded in a module variable: decoding one
    // more byte lets an image of megabytes go once its caller is done with it
    decoder.decode(cborNull)
  }
  if (!v || typeof v !== 'object' || v.format !== PREPARED_FORMAT)
    throw refuse(label, `is not a ${PREPARED_FORMAT} image (format ${JSON.stringify(v?.format)})`)
  if (typeof v.component !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(v.component))
    throw refuse(label, 'names no component digest')
  if (!Array.isArray(v.exports) || !v.exports.every((e) => typeof e === 'string'))
    throw refuse(label, 'has no list of exports')
  const files = v.files && typeof v.files === 'object' ? Object.entries(v.files) : []
  for (const [name, data] of files) {
    if (!fileName.test(name)) throw refuse(label, `holds a file named ${JSON.stringify(name)}`)
    if (!(data instanceof Uint8Array)) throw refuse(label, `holds ${name} as no bytes`)
  }
  const names = files.map(([n]) => n)
  if (!names.includes(`${GLUE_NAME}.js`) || !names.some((n) => n.endsWith('.wasm')))
    throw refuse(label, `lacks ${GLUE_NAME}.js or its core modules (it holds ${names.join(', ')})`)
  return v as PreparedImage
}

/** The transpiler a prepared image made here would name, e.g. "jco-transpile-0.15.0". */
export function transpilerVersion(): string {
  return findTranspiler().version
}

/**
 * A component's verified bytes → its prepared image (the transpiler runs in a short-lived
 * thread). What the registry runs at push.
 */
export async function prepareComponent(bytes: Uint8Array, digest: string): Promise<Uint8Array> {
  const transpiler = transpilerVersion()
  checkDigestFormat(digest)
  checkDigest(sha256Of(bytes), digest, 'the component')
  checkComponent(bytes, digest)
  let out: TranspileOutput
  try {
    out = await offload<TranspileOutput>('transpile', 'transpileFiles', [bytes])
  } catch (error) {
    throw new InvalidError(
      `runtime: jco cannot transpile ${digest}: ${(error as Error).message}`,
      [],
      { cause: error },
    )
  }
  const files = Object.fromEntries(out.files.map(([n, d]) => [n, new Uint8Array(d)]))
  if (!Object.keys(files).some((n) => n.endsWith('.wasm')))
    throw new InvalidError(`runtime: component ${digest} holds no core module: nothing in it runs`)
  return encodePrepared({
    format: PREPARED_FORMAT,
    component: digest,
    transpiler,
    exports: out.exports,
    files,
  })
}
