// src/api/defaults — the values the Kubernetes API server fills in before validation
// (SetDefaults_*): a pod's restartPolicy and grace period, a container's imagePullPolicy, a
// port's protocol, a deployment's strategy, a secret's stringData merged into data...
// Contract: applyDefaults returns a new object (the input is not changed), fillDefaults fills
// in place; neither throws, malformed input included (what is malformed is left for
// validation). The namespace of a namespaced object is the server's to fill in.

export { applyDefaults, fillDefaults } from './defaults.ts'
