// Named primitives shared by two or more components: errors, clock, logger, bounded body reads,
// and two adapters over the filesystem that the registry and the node agent both need: small
// files replaced atomically (0600, fsynced) and the resumable, verified pull of a registry blob
// (the agent's client of plane/registry), big files read outside malloc's heap (images, core
// modules), and X.509 for node certificates (loaded on first use).
// Nothing else here does I/O beyond stderr.
export * from './errors.ts'
export * from './clock.ts'
export * from './logger.ts'
export * from './read-limited.ts'
export * from './atomic-file.ts'
export * from './pull-blob.ts'
export * from './read-big-file.ts'
export * from './x509.ts'
export * as der from './der.ts'
