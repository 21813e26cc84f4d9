// src/api/json — plain JSON values and the request bodies that carry them.
// Contract: copy, equality and own-property access that never reach a prototype (a "__proto__"
// key the user wrote stays a plain key); duplicate keys found in a JSON text, in document order;
// and the check every decoded body passes first (nesting depth, no "__proto__"). Results are
// values, never throws. Imports no other room.

export {
  clone,
  copyOwn,
  deepEqual,
  isObject,
  lookupTable,
  own,
  put,
  type JsonObject,
  type PatchResult,
} from './json-value.ts'
export { lazyJsonKeys, scanJsonKeys, type JsonKeys } from './json-duplicates.ts'
export { checkBodyTree, MAX_NESTING, tooDeep, type BodyCheck } from './body-check.ts'
