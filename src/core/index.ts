// Named primitives shared by two or more components: errors, clock, logger, bounded body reads.
// No I/O beyond stderr.
export * from './errors.ts'
export * from './clock.ts'
export * from './logger.ts'
export * from './read-limited.ts'
