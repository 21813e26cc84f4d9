// The agent's part in the controller suites that need a node's own link: a node joins the real
// plane with a join token and connects to its broker with the node token it was given, so what it
// publishes (stats) goes through the plane's transport as an agent's would; and pods made Running
// and Ready on it by writing their status.
import { readFileSync } from 'node:fs'
import { request } from 'node:https'
import { join } from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import { resourceByKind, type Pod } from '../../src/api/index.ts'
import { isShoalError } from '../../src/core/index.ts'
import { createTokenStore, type Plane } from '../../src/plane/index.ts'

/** `node` joins the plane whose data dir is `dataDir` and connects to its broker */
export async function joinNode(plane: Plane, dataDir: string, node: string): Promise<MqttClient> {
  const ca = readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8')
  const token = createTokenStore(dataDir).issue({ role: 'join' })
  const creds = await new Promise<{ mqtt: string; token: string; caCert: string }>((ok, fail) => {
    const req = request(
      `${plane.url}/shoal/v1/join`,
      { method: 'POST', ca, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        let text = ''
        res.on('data', (d) => (text += d))
        res.on('end', () => ok(JSON.parse(text)))
      },
    )
    req.on('error', fail)
    req.end(JSON.stringify({ node }))
  })
  return mqtt.connectAsync(creds.mqtt, {
    ca: creds.caCert,
    username: node,
    password: creds.token,
    clientId: node,
    protocolVersion: 4,
    reconnectPeriod: 0,
  })
}

const PODS = resourceByKind('Pod')!
const stamp = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z')
const isReady = (p: Pod) =>
  p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false

/** the pods of `namespace` not being deleted are made Running and Ready on `node` (by writing
 *  their status, as its agent would); resolves with those that were Ready already */
export async function runPods(plane: Plane, node: string, namespace = 'default'): Promise<Pod[]> {
  const { items } = await plane.objects.list(PODS, { namespace })
  const pods = (items as Pod[]).filter((p) => !p.metadata.deletionTimestamp)
  for (const p of pods.filter((x) => !isReady(x))) {
    const now = stamp()
    const next: Pod = {
      ...p,
      spec: { ...p.spec, nodeName: node },
      status: {
        phase: 'Running',
        hostIP: '10.0.0.1',
        podIP: '10.0.0.1', // as Shoal's agents report: the node's address (endpoints need one)
        startTime: now,
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
      },
    }
    await plane.objects.replace(PODS, p, next).catch((err) => {
      if (!isShoalError(err, 'Conflict') && !isShoalError(err, 'NotFound')) throw err
    })
  }
  return pods.filter(isReady)
}
