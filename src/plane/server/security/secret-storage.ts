// How a Secret is kept in the store: its data (and any stringData, merged in as base64 the way
// kube-apiserver does) is sealed into one field, so no value is ever written in plaintext.
//   API form:     { ..., metadata, type, data: { "password": "aHVudGVyMg==" } }
//   stored form:  { ..., metadata, type, sealedData: "<base64 of seal(JSON of data)>" }
// The seal is bound to "secrets/<namespace>/<name>": call toStorage once namespace and name are set.
import { put } from '../../../api/index.ts'
import { InvalidError, ShoalError } from '../../../core/index.ts'
import type { SecretBox } from './secret-box.ts'

export const SEALED_FIELD = 'sealedData'

export interface SecretLike {
  metadata?: { name?: string; namespace?: string }
  data?: Record<string, string>
  stringData?: Record<string, string>
}

export type StoredSecret<T extends SecretLike> = Omit<T, 'data' | 'stringData'> & {
  [SEALED_FIELD]?: string
}

export function secretToStorage<T extends SecretLike>(box: SecretBox, secret: T): StoredSecret<T> {
  const { data, stringData, ...rest } = secret
  const merged: Record<string, string> = { ...data }
  for (const [k, v] of Object.entries(stringData ?? {}))
    put(merged, k, Buffer.from(v).toString('base64'))
  if (Object.keys(merged).length === 0) return rest
  const sealed = box.seal(Buffer.from(JSON.stringify(merged)), context(secret))
  return { ...rest, [SEALED_FIELD]: Buffer.from(sealed).toString('base64') }
}

export function secretFromStorage<T extends SecretLike>(
  box: SecretBox,
  stored: StoredSecret<T>,
): T {
  const { [SEALED_FIELD]: sealed, ...rest } = stored as StoredSecret<T> & Record<string, unknown>
  if (sealed === undefined) return rest as unknown as T
  const text = Buffer.from(box.open(Buffer.from(sealed, 'base64'), context(stored))).toString()
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (err) {
    throw new ShoalError(
      'Corrupt',
      `secret-storage: sealed data of ${context(stored)} is not a JSON object`,
      { cause: err },
    )
  }
  if (
    typeof data !== 'object' ||
    data === null ||
    Object.values(data).some((v) => typeof v !== 'string')
  ) {
    throw new ShoalError(
      'Corrupt',
      `secret-storage: sealed data of ${context(stored)} is not a map of strings`,
    )
  }
  return { ...rest, data } as unknown as T
}

/** The stored secret re-sealed with the primary key, or undefined when it already is. */
export function reencryptStoredSecret<T extends SecretLike>(
  box: SecretBox,
  stored: StoredSecret<T>,
): StoredSecret<T> | undefined {
  const sealed = stored[SEALED_FIELD]
  if (sealed === undefined) return undefined
  const bytes = Buffer.from(sealed, 'base64')
  const next = box.reencrypt(bytes, context(stored))
  return next === bytes
    ? undefined
    : { ...stored, [SEALED_FIELD]: Buffer.from(next).toString('base64') }
}

/** The key id the stored secret is sealed with (undefined when it holds no data). */
export function storedSecretKeyId(
  box: SecretBox,
  stored: { [SEALED_FIELD]?: string },
): string | undefined {
  const sealed = stored[SEALED_FIELD]
  return sealed === undefined ? undefined : box.keyIdOf(Buffer.from(sealed, 'base64'))
}

function context(secret: { metadata?: { name?: string; namespace?: string } }): string {
  const { name, namespace } = secret.metadata ?? {}
  if (!name || !namespace) {
    throw new InvalidError(
      'secret-storage: a secret needs metadata.name and metadata.namespace before it is sealed or opened',
      [{ field: 'metadata.name', message: 'required' }],
    )
  }
  return `secrets/${namespace}/${name}`
}
