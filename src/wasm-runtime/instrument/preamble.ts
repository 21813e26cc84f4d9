// The 8-byte preamble tells a core module (`\0asm` 01 00 00 00) from a component
// (`\0asm` 0d 00 01 00: version 0x0d, layer 1).

const magic = [0x00, 0x61, 0x73, 0x6d]
const coreVersion = [0x01, 0x00, 0x00, 0x00]
const componentVersion = [0x0d, 0x00, 0x01, 0x00]

function startsWith(bytes: Uint8Array, version: number[]): boolean {
  if (bytes.length < 8) return false
  for (let i = 0; i < 4; i++) if (bytes[i] !== magic[i] || bytes[4 + i] !== version[i]) return false
  return true
}

export function isCoreModule(bytes: Uint8Array): boolean {
  return startsWith(bytes, coreVersion)
}

export function isComponent(bytes: Uint8Array): boolean {
  return startsWith(bytes, componentVersion)
}
