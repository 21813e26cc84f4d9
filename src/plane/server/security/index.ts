// Security of the plane's API server. Contract: ensureSecurity(dataDir, { serverUrl }) makes or
// reuses, under dataDir, a CA and serving certificate (pki/), hashed bearer tokens (tokens.json),
// the admin kubeconfig (admin.kubeconfig) and the secret keys (secret-keys.json), all secrets 0600.
// Per request: tokens.authenticate(Authorization header) → User or 401, authorize(user, attrs)
// (authorizeNonResource for other paths) → allowed or 403 with a Kubernetes-worded reason;
// rulesFor(user) lists a role's rules for SelfSubjectRulesReview; nodeCertificates signs node
// certificates from their PKCS#10 requests (node-certificates.ts). Secrets go to the store only in sealed form
// (secretToStorage / secretFromStorage). Plain tokens are never logged.
export { ensureSecurity, type Security, type SecurityOptions } from './bootstrap.ts'
export { caCertHash, ensurePki, type Pki, type PkiOptions } from './pki.ts'
export { issueBrokerCert } from './broker-cert.ts'
export {
  createTokenStore,
  type IssueRequest,
  type Role,
  type TokenInfo,
  type TokenStore,
  type User,
} from './tokens.ts'
export {
  authorize,
  authorizeNonResource,
  forbiddenError,
  JOIN_PATH,
  NODE_CERTIFICATE_PATH,
  forbiddenPathError,
  unauthorizedError,
  type Attributes,
  type Decision,
  type NonResourceAttributes,
  type Verb,
} from './authorizer.ts'
export {
  ADMIN_USER,
  buildKubeconfig,
  ensureAdminKubeconfig,
  writeKubeconfig,
  type AdminKubeconfig,
  type Kubeconfig,
  type KubeconfigOptions,
} from './kubeconfig.ts'
export {
  checkNodeCsr,
  createNodeSigner,
  NODE_CERT_LIFETIME_MS,
  type NodeSigner,
  type NodeSignerOptions,
} from './node-certificates.ts'
export { createSecretBox, isSealed, type SecretBox } from './secret-box.ts'
export { syncTokens, TOKENS_PREFIX, type TokenSync } from './token-sync.ts'
export {
  SEALED_FIELD,
  reencryptStoredSecret,
  secretFromStorage,
  secretToStorage,
  storedSecretKeyId,
  type SecretLike,
  type StoredSecret,
} from './secret-storage.ts'
export {
  rulesFor,
  type NonResourceRule,
  type ResourceRule,
  type RoleRules,
  type ServedResource,
} from './role-rules.ts'
