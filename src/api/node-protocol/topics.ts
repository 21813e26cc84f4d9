// MQTT topic names of the plane ↔ node channel. Every topic a node touches is under its own
// subtree, so a broker ACL of "shoal/v1/nodes/<node>/#" confines it (plus the endpoints of the
// Services it needs, for the mesh). The mesh table travels on each node's own `mesh` leaf too,
// so a node never reads another's topics.
//
// Connecting (MQTT 3.1.1 over TLS, the plane's CA): username = the node name, password = the
// node's bearer token, client id = the node name (nodeClientId: so no node can take over another
// node's session), keepalive 1–300 s (0 is refused: a silent node must be noticed), Last Will
// ONLINE_TOPIC ← OFFLINE retained, QoS 1. After connecting the node publishes ONLINE there
// (retained) — the one retained message — subscribes to its TO_NODE leaves, and says `hello`.

export const TOPIC_ROOT = 'shoal/v1'

/** plane → node */
export const TO_NODE = ['desired', 'mesh', 'status-ack', 'req'] as const
/** node → plane; "online" is the one retained topic (the Last Will clears it) */
export const FROM_NODE = [
  'hello',
  'applied',
  'mesh-applied',
  'status',
  'heartbeat',
  'stats',
  'res',
  'online',
] as const

export type ToNodeLeaf = (typeof TO_NODE)[number]
export type FromNodeLeaf = (typeof FROM_NODE)[number]

/** the payloads of the retained "online" leaf: "1" while connected, "0" (the Last Will) after */
export const ONLINE = '1'
export const OFFLINE = '0'

/** the MQTT client id a node connects with: its name */
export const nodeClientId = (node: string) => node

/** "shoal/v1/nodes/pi-07/desired" */
export function nodeTopic(node: string, leaf: ToNodeLeaf | FromNodeLeaf): string {
  return `${TOPIC_ROOT}/nodes/${node}/${leaf}`
}

/** the plane's subscription for one leaf of every node: "shoal/v1/nodes/+/status" */
export function everyNode(leaf: FromNodeLeaf): string {
  return `${TOPIC_ROOT}/nodes/+/${leaf}`
}

/** node and leaf of a node topic; undefined for anything else */
export function parseNodeTopic(topic: string): { node: string; leaf: string } | undefined {
  const m = /^shoal\/v1\/nodes\/([^/]+)\/([^/]+)$/.exec(topic)
  return m ? { node: m[1], leaf: m[2] } : undefined
}

/** a node name usable in a topic: a DNS-1123 subdomain has no "/", "+" or "#" */
export const isTopicSafe = (name: string) => name.length > 0 && !/[/+#\0]/.test(name)

/** may this node publish to (or subscribe to) this topic? */
export function nodeMay(node: string, action: 'publish' | 'subscribe', topic: string): boolean {
  const t = parseNodeTopic(topic)
  if (!t || t.node !== node) return false
  return (action === 'publish' ? FROM_NODE : TO_NODE).includes(t.leaf as never)
}
