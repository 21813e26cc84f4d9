// node-agent — the kubelet of Shoal: runs on an edge node, takes the node's desired pods from the
// plane over MQTT and runs them as WebAssembly component instances (wasm-runtime).
//
// Contract:
// - joinPlane(): `shoal agent --join URL --token T --ca-cert-hash sha256:H --name N`: the plane's CA is
//   pinned by hash, the join token traded for the node's own token, both kept in the data dir
//   (0700; files 0600), and the node's certificate obtained for a key made on the node (the key
//   never leaves it; node.pem). createAgent() starts from those credentials and renews the
//   certificate at 2/3 of its life (cert-renewer.ts).
// - Offline first: the last desired state accepted is on disk and runs at start, before and
//   without any link; images (as the plane's registry prepared them — the node never transpiles —
//   pulled by digest, resumable, verified; unused ones deleted, least recently used first, when
//   the disk is short: DiskPressure), the Secrets/ConfigMaps the pods' env reads,
//   and unacknowledged pod statuses are on disk too. Plane or broker down, every pod keeps
//   running; statuses wait and go when the link returns.
// - Desired state numbered by revision: a newer one is saved, answered `applied` and reconciled;
//   an older or equal one is ignored (and `applied` restated). Reconciling is idempotent: an
//   instance whose pod uid and container spec are unchanged is never restarted or recreated.
// - Pods: instance "<uid>/<container>", kind from the component's exports (http, handler,
//   command; else http with ports, command without), env from values, Secrets, ConfigMaps and
//   the pod's fields, memory/cpu limits, probes. restartPolicy Always/OnFailure/Never with
//   exponential back-off (CrashLoopBackOff); a deleted pod is stopped within its grace period
//   and reported `gone`; a pod that left the set is stopped and forgotten.
// - Mesh table (for src/mesh): taken by revision like the desired state, kept in mesh.json and
//   loaded at start; agent.meshTable() is the table held, agent.onMeshTable(fn) tells each new
//   one. The node's mesh port (meshPort, --mesh-port) is reported in hello.
// - Mesh (options.mesh; `shoal agent` always): the mesh runs in the agent (agent-mesh.ts) —
//   local, public, node-to-node mTLS (node.pem + the plane's CA) and NodePort listeners, opened
//   before the first hello (the port bound is the one reported), routing by the table on disk
//   from the start; GET /metrics on its own listener. A pod being stopped is drained first (no
//   new request from this node's mesh, those in flight finished, within its grace period).
// - Status: Kubernetes PodStatus per pod, sent in `status` reports by id and kept (and resent)
//   until a `status-ack` names the report; `heartbeat` every few seconds with node conditions
//   and the images held; logs served on request in bounded chunks.
// - Bad input from the wire (a malformed message, a damaged pod entry) is logged and dropped;
//   nothing from outside crashes the agent.
export { createAgent, DEFAULT_MESH_PORT, type Agent, type AgentOptions } from './agent.ts'
export type { MeshListener } from './mesh-cache.ts'
export { MESH_DEFAULTS, type AgentMeshOptions, type AgentMeshPorts } from './agent-mesh.ts'
export { caCertHash, joinPlane, loadCredentials, type JoinOptions } from './join.ts'
export { FakeChannel } from './fake-channel.ts'
export { MqttChannel, type MqttChannelOptions } from './channel.ts'
export { nodeAddress, parseLabels } from './node-info.ts'
export { RESTART_BACKOFF, type BackoffOptions } from './backoff.ts'
export type { Channel, ChannelHandlers, Credentials } from './types.ts'
