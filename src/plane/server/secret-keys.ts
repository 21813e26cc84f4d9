// Secrets at rest: the storage transform that seals Secret data on the way into the store and
// opens it on the way out, and key rotation (new primary key, every stored secret re-sealed,
// old keys retired) so a leaked old key file opens nothing.
import { resourceByKind, storePrefix, type KubeObject } from '../../api/index.ts'
import type { Logger } from '../../core/index.ts'
import type { Store } from '../store/index.ts'
import { decodeObject, encodeObject, type StorageTransform } from './object-codec.ts'
import { SEALED_FIELD, type SecretBox } from './security/index.ts'

/**
 * A Secret is stored as its name and namespace plus the WHOLE object sealed: data, and also
 * annotations such as kubectl's last-applied-configuration, which repeat the data in plaintext.
 */
export function secretTransform(box: SecretBox): StorageTransform {
  return {
    toStorage: (info, obj) => (info.kind === 'Secret' ? sealWhole(box, obj) : obj),
    fromStorage: (info, obj) => (info.kind === 'Secret' ? openWhole(box, obj) : obj),
  }
}

const context = (m: { namespace?: string; name?: string }) =>
  `secrets/${m.namespace ?? ''}/${m.name ?? ''}`

function sealWhole(box: SecretBox, obj: KubeObject): KubeObject {
  const { namespace, name } = obj.metadata
  const sealed = box.seal(Buffer.from(JSON.stringify(obj)), context(obj.metadata))
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: { namespace, name },
    [SEALED_FIELD]: Buffer.from(sealed).toString('base64'),
  } as KubeObject
}

function openWhole(box: SecretBox, stored: KubeObject): KubeObject {
  const sealed = (stored as unknown as Record<string, string>)[SEALED_FIELD]
  if (sealed === undefined) return stored
  const obj = JSON.parse(
    Buffer.from(box.open(Buffer.from(sealed, 'base64'), context(stored.metadata))).toString(),
  ) as KubeObject
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: stored.metadata.resourceVersion } }
}

/** Rotates to a new key, re-seals every stored secret with it, then retires the old keys. */
export async function rotateSecretKeys(
  store: Store,
  box: SecretBox,
  log: Logger,
): Promise<{ keyId: string; resealed: number; retired: string[] }> {
  const keyId = box.rotate()
  const prefix = storePrefix(resourceByKind('Secret')!)
  let resealed = 0
  for (;;) {
    const { kvs } = await store.range({ prefix })
    let conflicts = 0
    for (const kv of kvs) {
      const stored = decodeObject(kv) as KubeObject & { [SEALED_FIELD]?: string }
      const bytes =
        stored[SEALED_FIELD] === undefined ? undefined : Buffer.from(stored[SEALED_FIELD], 'base64')
      const again = bytes && box.reencrypt(bytes, context(stored.metadata))
      if (!bytes || !again || again === bytes) continue
      const next = { ...stored, [SEALED_FIELD]: Buffer.from(again).toString('base64') }
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
