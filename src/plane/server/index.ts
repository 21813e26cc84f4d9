// plane/server — the Kubernetes-shaped REST API on Hono: discovery, OpenAPI, resources with
// list/watch/get/create/update/patch/delete, status/scale/log subresources (log: from the node
// over plane/transport), Table output, metav1.Status errors, metrics, the self-reviews behind
// `kubectl auth can-i|whoami`, and node joining (GET /shoal/v1/ca, POST /shoal/v1/join with a
// join token). createApiApp() is runtime-free (tested with app.request());
// serveApi() binds it to a Node HTTP(S) server.
export { createApiApp, type ApiAppOptions } from './app.ts'
export { createAccess, type Access } from './access.ts'
export { secretTransform, rotateSecretKeys } from './secret-keys.ts'
export { podLogs, type LogSource } from './pod-logs.ts'
export { CA_PATH, type JoinOptions } from './join-routes.ts'
export {
  caCertHash,
  createSecretBox,
  createTokenStore,
  ensureAdminKubeconfig,
  ensureSecurity,
  syncTokens,
  issueBrokerCert,
  type Role,
  type Security,
} from './security/index.ts'
export { ObjectStore } from './object-store.ts'
export { DEFAULT_NODE_PORT_RANGE, parseNodePortRange, type NodePortRange } from './node-ports.ts'
export { eventTtl, LeaseReuse, LEASE_REUSE_SECONDS, type TtlPolicy } from './object-ttl.ts'
export { BUILTIN_NAMESPACES } from './builtin-namespaces.ts'
export { toStatus, ApiError, type Status } from './status.ts'
export { parseRequestInfo, type RequestInfo, type Verb } from './request-info.ts'
export type { Caller } from './resource-handler.ts'
export { endAllWatches } from './watch-stream.ts'
export { serveApi, type ServeOptions, type RunningServer } from './serve.ts'
