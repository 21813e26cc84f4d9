// plane/transport — the plane's side of the MQTT channel to its nodes (wire contract:
// src/api/node-protocol). Contract:
// - An embedded aedes broker (MQTT 3.1.1) on its own TLS port with the plane's serving
//   certificate: a node connects with username = its name, password = its bearer token, client
//   id = its name, and may publish and subscribe only in its own subtree, each leaf in its
//   direction; nothing is retained but each node's "online" flag ("1", the Last Will "0").
//   Nagle is off on every socket; a socket that has not drained in 1 s is cut off.
// - The plane uses the broker in-process through `Bus` (publish, subscribe, close); with an
//   external broker (Mosquitto) the same channel runs on a Bus over an mqtt.js client
//   (external-bus.ts): clean session, and every node sent its whole desired state again each
//   time the plane's link to the broker comes back. mosquitto-config.ts writes the config, ACL
//   and password file that confine each node to its subtree there.
// - The node channel (node-channel.ts): each node is sent its pods (desired state, numbered by
//   store revision, images resolved to digests) when they change and when it says hello behind;
//   statuses from nodes are written (only for pods bound to that node) and acknowledged after
//   they are durable; hello and heartbeat keep the Node object and renew the node's Lease
//   (kube-node-lease/<node>, at most every 10 s); a lost connection makes the Node Unknown at
//   once; log requests go out and come back over request/response with ids; the
//   nodes' usage samples are held in memory as rates (node-stats.ts), never stored.
// - The mesh table (mesh-source.ts, mesh-sender.ts): Services, EndpointSlices and Nodes watched,
//   each change built once and the same bytes sent to every connected node on its `mesh` leaf,
//   numbered by store revision, answered `mesh-applied`; whole on hello behind, resync, resend.
// - Several planes (leaderElect, an external broker): every plane runs the node channel, each
//   serving the nodes `owns` gives it (plane/leader's rendezvous hashing over the live planes):
//   only those are sent state and have their messages handled; stats and log answers are taken
//   from every node by every plane; reown() moves nodes when the live planes change.
// - Every payload from a node is checked; a malformed one is logged and dropped, never a crash.
export type { Bus, BusHandler } from './bus.ts'
export { startBroker, type BrokerOptions, type EmbeddedBroker } from './broker.ts'
export {
  connectExternalBus,
  parseBrokerUrl,
  type ExternalBus,
  type ExternalBusOptions,
} from './external-bus.ts'
export {
  mosquittoAcl,
  mosquittoConf,
  passwordLine,
  PLANE_USER,
  planeUsers,
  withPassword,
  type MosquittoFiles,
} from './mosquitto-config.ts'
export { NodeChannel, type NodeChannelOptions } from './node-channel.ts'
export {
  NodeStats,
  type ContainerUsage,
  type NodeUsage,
  type PodUsage,
  type UsageRate,
} from './node-stats.ts'
export { LOG_ANSWER_MS, type LogOptions } from './log-requests.ts'
export type { LogLines } from './log-stream.ts'
export { RESEND, type ResendPolicy } from './desired-sender.ts'
export { NODE_STATUS_EVERY_MS } from './node-objects.ts'
export { leaseRenewEveryMs, SERVED_BY } from './node-leases.ts'
export { decodeFromNode, encodeMessage } from './codec.ts'
export type { Objects, ResolveImage, Where } from './ports.ts'
export { startTransport, type Transport, type TransportOptions } from './transport.ts'
