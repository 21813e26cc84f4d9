// src/api/node-protocol — the contract of the plane ↔ node channel over MQTT: topic names (each
// node confined to shoal/v1/nodes/<node>/…), the messages (CBOR maps, QoS 1, numbered and
// acknowledged in the message, never trusting PUBACK or a broker's memory), and their checks
// (parseToNode / parseFromNode: untrusted payloads become values naming what is wrong).
export {
  everyNode,
  FROM_NODE,
  isTopicSafe,
  nodeClientId,
  nodeMay,
  nodeTopic,
  OFFLINE,
  ONLINE,
  parseNodeTopic,
  TO_NODE,
  TOPIC_ROOT,
} from './topics.ts'
export type { FromNodeLeaf, ToNodeLeaf } from './topics.ts'
export {
  MAX_MESSAGE_BYTES,
  MESH_LATENCY_BUCKETS_MS,
  meshServiceKey,
  PROTOCOL_VERSION,
} from './messages.ts'
export type * from './messages.ts'
export { parseFromNode, parseToNode, type Parsed } from './parse.ts'
export { INGRESS_NODE_LABEL, ingressAddresses } from './mesh-table.ts'
export type {
  MeshEndpoint,
  MeshIngressRoute,
  MeshIngressTls,
  MeshNode,
  MeshService,
  MeshServicePort,
  MeshTable,
} from './mesh-table.ts'
