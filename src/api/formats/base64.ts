// base64 without Buffer (src/api has no node: imports): Secret data and ConfigMap binaryData.

/** UTF-8 text to base64, without Buffer (src/api has no node: imports). */
export function toBase64(text: string): string {
  let binary = ''
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/** base64 to UTF-8 text; undefined when it is not base64. */
export function fromBase64(data: string): string | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 !== 0) return undefined
  const binary = atob(data)
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))
}
