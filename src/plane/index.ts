// plane — the control plane: store, API server, image registry, MQTT transport to the nodes,
// and (in their issues) scheduler and controllers. createPlane() runs one; nothing here imports node-agent.
export {
  createPlane,
  DEFAULT_MQTT_PORT,
  parseListen,
  type Plane,
  type PlaneOptions,
} from './plane.ts'
export { writeBrokerConfig, type BrokerConfigOptions } from './broker-config.ts'
export {
  caCertHash,
  createTokenStore,
  parseNodePortRange,
  type NodePortRange,
  type Role,
} from './server/index.ts'
export { migrateStore, type MigrateOptions, type MigrateResult } from './migrate.ts'
