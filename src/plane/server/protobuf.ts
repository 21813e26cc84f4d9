// Kubernetes' protobuf request bodies, as stock kubectl's typed client sends them for its
// imperative `create deployment|job|service|secret|configmap|namespace|ingress` and `auth can-i|whoami`: "k8s\0" then a
// runtime.Unknown {1: typeMeta {1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding, 4: contentType}
// with raw the object's own message. The object is decoded by the schema tables in protobuf/
// into the JSON shape kubectl would have sent, so the rest of the server sees no difference.
// A malformed body is 400 naming the problem; a kind Shoal does not serve is 415 with a hint.
import { lookupTable } from '../../api/index.ts'
import { ShoalError } from '../../core/index.ts'
import { coreTables } from './protobuf/core-schema.ts'
import { decodeMessage } from './protobuf/decode.ts'
import { metaTables } from './protobuf/meta-schema.ts'
import { networkingTables } from './protobuf/networking-schema.ts'
import { reviewTables } from './protobuf/review-schema.ts'
import { defineSchema } from './protobuf/schema.ts'
import { LEN, WireError, wireFields } from './protobuf/wire.ts'
import { workloadsTables } from './protobuf/workloads-schema.ts'

const MAGIC = [0x6b, 0x38, 0x73, 0x00] // "k8s\0"

export const k8sSchema = defineSchema({
  ...metaTables,
  ...coreTables,
  ...workloadsTables,
  ...networkingTables,
  ...reviewTables,
})

/** apiVersion/kind → the message that carries it (the kind, unless another version's message has that name) */
const KINDS = lookupTable<string>({
  ...Object.fromEntries(
    [
      ...['Namespace', 'Node', 'Pod', 'Service', 'Endpoints', 'Secret', 'ConfigMap', 'Event'].map(
        (k) => `v1/${k}`,
      ),
      'apps/v1/Deployment',
      'apps/v1/DaemonSet',
      'batch/v1/Job',
      'batch/v1/CronJob',
      'autoscaling/v2/HorizontalPodAutoscaler',
      'discovery.k8s.io/v1/EndpointSlice',
      'networking.k8s.io/v1/Ingress',
      'authorization.k8s.io/v1/SelfSubjectAccessReview',
      'authorization.k8s.io/v1/SelfSubjectRulesReview',
      'authentication.k8s.io/v1/SelfSubjectReview',
    ].map((gvk) => [gvk, gvk.slice(gvk.lastIndexOf('/') + 1)]),
  ),
  'autoscaling/v1/HorizontalPodAutoscaler': 'HorizontalPodAutoscalerV1',
})

const utf8 = new TextDecoder()

interface Envelope {
  apiVersion: string
  kind: string
  raw?: Uint8Array
  contentEncoding: string
}

function readEnvelope(buf: Uint8Array): Envelope {
  const env: Envelope = { apiVersion: '', kind: '', contentEncoding: '' }
  const text = (b?: Uint8Array) => utf8.decode(b)
  for (const f of wireFields(buf.subarray(MAGIC.length))) {
    if (f.wire !== LEN) {
      if (f.no <= 3)
        throw new WireError(`envelope field ${f.no} has wire type ${f.wire}, expected ${LEN}`)
      continue // a field of a later envelope version: skipped, as unknown message fields are
    }
    if (f.no === 1) {
      for (const t of wireFields(f.bytes!)) {
        if (t.wire !== LEN) continue
        if (t.no === 1) env.apiVersion = text(t.bytes)
        else if (t.no === 2) env.kind = text(t.bytes)
      }
    } else if (f.no === 2) env.raw = f.bytes
    else if (f.no === 3) env.contentEncoding = text(f.bytes)
  }
  return env
}

const hint =
  'send JSON or YAML, e.g. `kubectl create ... --dry-run=client -o yaml | kubectl apply -f -`'

/** decodes a kubectl protobuf body into the JSON shape of the object */
export function decodeK8sProtobuf(buf: Uint8Array): Record<string, unknown> {
  if (MAGIC.some((b, i) => buf[i] !== b))
    throw new ShoalError(
      'BadRequest',
      'the protobuf body does not start with the "k8s\\0" envelope',
    )
  try {
    const { apiVersion, kind, raw, contentEncoding } = readEnvelope(buf)
    const gvk = `${apiVersion}/${kind}`
    const message = KINDS[gvk]
    if (!message)
      throw new ShoalError(
        'Unsupported',
        `protobuf bodies are understood for ${Object.keys(KINDS).join(', ')} only (got ${kind ? gvk : 'no kind'}); ${hint}`,
      )
    if (contentEncoding)
      throw new ShoalError(
        'Unsupported',
        `protobuf bodies with contentEncoding "${contentEncoding}" are not understood; ${hint}`,
      )
    if (!raw) throw new WireError(`the envelope carries no object (field 2) for ${gvk}`)
    return { apiVersion, kind, ...decodeMessage(raw, { schema: k8sSchema, type: message }) }
  } catch (err) {
    if (!(err instanceof WireError)) throw err
    throw new ShoalError('BadRequest', `the protobuf body is malformed: ${err.message}`, {
      cause: err,
    })
  }
}
