// plane — the control plane: store, API server, and (in their issues) scheduler, controllers,
// MQTT transport and image registry. createPlane() runs one; nothing here imports node-agent.
export { createPlane, parseListen, type Plane, type PlaneOptions } from './plane.ts'
export { createTokenStore, type Role } from './server/index.ts'
