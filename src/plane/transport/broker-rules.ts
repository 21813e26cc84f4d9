// Who may connect to the embedded broker and what each connection may do, as pure decisions
// (broker.ts applies them to aedes' hooks). A connection is a node: username = node name,
// password = that node's bearer token, client id = the node name (so no node can take over
// another's session). It may publish and subscribe only in its own subtree, each leaf in its
// direction (nodeMay); nothing it publishes is retained but its "online" flag, "1" or "0".
import {
  isTopicSafe,
  nodeClientId,
  nodeMay,
  OFFLINE,
  ONLINE,
  parseNodeTopic,
} from '../../api/index.ts'

const utf8 = new TextDecoder()

/** MQTT 3.1.1 CONNACK codes: 2 identifier rejected, 4 bad user name or password */
export type Refusal = { ok: false; code: 2 | 4; why: string }

export type ConnectDecision = { ok: true; node: string } | Refusal

export interface ConnectRequest {
  clientId: string
  username: string | undefined
  password: Uint8Array | undefined
}

/** `authenticateNode`: is this password a valid bearer token of that node? */
export function decideConnect(
  req: ConnectRequest,
  authenticateNode: (node: string, password: string) => boolean,
): ConnectDecision {
  const node = req.username ?? ''
  if (!node || !req.password?.length || !isTopicSafe(node) || node.length > 253)
    return { ok: false, code: 4, why: 'a node name and a token are required' }
  if (!authenticateNode(node, utf8.decode(req.password)))
    return { ok: false, code: 4, why: `bad token for node ${node}` }
  if (req.clientId !== nodeClientId(node))
    return { ok: false, code: 2, why: `node ${node} must connect with client id "${node}"` }
  return { ok: true, node }
}

export type PublishDecision = { ok: true; retain: boolean } | { ok: false; why: string }

/**
 * `node`: the publishing connection's node; undefined for a message the broker publishes on
 * behalf of a client gone before it authenticated (only an "offline" flag may pass then)
 */
export function decidePublish(
  node: string | undefined,
  m: { topic: string; payload: Uint8Array; retain: boolean },
): PublishDecision {
  const leaf = parseNodeTopic(m.topic)?.leaf
  const owner = node ?? parseNodeTopic(m.topic)?.node ?? ''
  if (!nodeMay(owner, 'publish', m.topic))
    return { ok: false, why: `node ${node ?? '?'} may not publish to ${m.topic}` }
  if (leaf !== 'online') return { ok: true, retain: false }
  const flag = m.payload.length === 1 ? utf8.decode(m.payload) : ''
  if (flag !== ONLINE && flag !== OFFLINE)
    return { ok: false, why: `the online flag of ${owner} must be "1" or "0"` }
  if (node === undefined && flag !== OFFLINE)
    return { ok: false, why: 'only an offline flag is published without its node' }
  return { ok: true, retain: m.retain }
}

export function decideSubscribe(node: string | undefined, topic: string): boolean {
  return node !== undefined && nodeMay(node, 'subscribe', topic)
}
