// embed — Shoal as a library: another Node program runs a plane and agents inside itself.
//
// Contract:
// - createPlane(options) and createAgent(options) make objects that do nothing until start()
//   (which resolves once the plane serves / the agent runs) and stop everything on stop().
//   Options are the plane's PlaneOptions and the agent's AgentOptions (see src/plane,
//   src/node-agent); an agent given `join` (plane.joinToken() plus a node name) joins on its
//   first start and reuses the credentials kept in its dataDir later.
// - Both are EventEmitters. Plane: 'ready' {url, mqttUrl}, 'node-joined' {node}, 'stopped'.
//   Agent: 'ready' {node}, 'connected', 'disconnected', 'pod-started' {namespace, name, uid,
//   ports}, 'pod-stopped' {…, reason}, 'stopped'. The agent's events are emitted on a turn of
//   their own: a listener that throws cannot break the agent.
// - plane.request(method, path, body) and plane.pushImage(name, tag, bytes) talk HTTPS to the
//   plane as its admin (the token of <dataDir>/admin.kubeconfig).
import { EmbeddedAgent, type EmbeddedAgentOptions } from './embedded-agent.ts'
import { EmbeddedPlane, type EmbeddedPlaneOptions } from './embedded-plane.ts'

export { EmbeddedAgent, EmbeddedPlane }
export type { AgentEvents, EmbeddedAgentOptions, PodEvent } from './embedded-agent.ts'
export type { EmbeddedPlaneOptions, JoinTicket, PlaneEvents } from './embedded-plane.ts'
export { adminClient, expectOk, readAdminKubeconfig } from './admin-client.ts'
export { parseNodePortRange, type NodePortRange } from '../plane/index.ts'
export type { AdminClient, Answer } from './admin-client.ts'

/** a plane, not started: await createPlane({ dataDir }).start() */
export function createPlane(options: EmbeddedPlaneOptions): EmbeddedPlane {
  return new EmbeddedPlane(options)
}

/** a node agent, not started: await createAgent({ dataDir, join }).start() */
export function createAgent(options: EmbeddedAgentOptions): EmbeddedAgent {
  return new EmbeddedAgent(options)
}
