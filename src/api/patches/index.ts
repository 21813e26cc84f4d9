// src/api/patches — PATCH bodies: JSON patch (RFC 6902), JSON merge patch (RFC 7386) and
// Kubernetes' strategic merge patch, and the Content-Type that names each.
// Contract: a patch applies as a whole or not at all, to a copy (the input is not changed), and
// answers a PatchResult: the new value, or an error naming what failed, never a throw. Patch
// keys are own properties only: "__proto__" is a field name. Server-side apply is the server's.

export { applyJsonPatch, parsePointer, type JsonPatchOperation } from './json-patch.ts'
export { applyMergePatch } from './merge-patch.ts'
export { applyStrategicMergePatch } from './strategic-merge-patch.ts'
export { applyPatch, patchTypeFor, type PatchType } from './patch.ts'
