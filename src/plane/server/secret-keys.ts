// Secrets at rest: the storage transform that seals Secret data on the way into the store and
// opens it on the way out, and key rotation (new primary key, every stored secret re-sealed,
// old keys retired) so a leaked old key file opens nothing.
import { resourceByKind, storePrefix, type KubeObject } from '../../api/index.ts'
import type { Logger } from '../../core/index.ts'
import type { Store } from '../store/index.ts'
import { decodeObject, encodeObject, type StorageTransform } from './object-codec.ts'
import { reencryptStoredSecret, secretFromStorage, secretToStorage, type SecretBox } from './security/index.ts'

export function secretTransform(box: SecretBox): StorageTransform {
  return {
    toStorage: (info, obj) => (info.kind === 'Secret' ? (secretToStorage(box, obj) as KubeObject) : obj),
    fromStorage: (info, obj) => (info.kind === 'Secret' ? (secretFromStorage(box, obj) as KubeObject) : obj),
  }
}

/** Rotates to a new key, re-seals every stored secret with it, then retires the old keys. */
export async function rotateSecretKeys(store: Store, box: SecretBox, log: Logger): Promise<{ keyId: string; resealed: number; retired: string[] }> {
  const keyId = box.rotate()
  const prefix = storePrefix(resourceByKind('Secret')!)
  let resealed = 0
  for (;;) {
    const { kvs } = await store.range({ prefix })
    let conflicts = 0
    for (const kv of kvs) {
      const next = reencryptStoredSecret(box, decodeObject(kv))
      if (!next) continue
      const r = await store.txn({
        compare: [{ key: kv.key, target: 'modRevision', result: 'equal', value: kv.modRevision }],
        success: [{ type: 'put', key: kv.key, value: encodeObject(next as KubeObject) }],
      })
      if (r.succeeded) resealed++
      else conflicts++
    }
    if (!conflicts) break
  }
  const retired = box.keyIds().filter((id) => id !== keyId)
  for (const id of retired) box.retire(id)
  log.info('rotated the secret key', { keyId, resealed, retired })
  return { keyId, resealed, retired }
}
