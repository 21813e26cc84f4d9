// Named primitives shared by two or more components: errors, clock, logger. No I/O beyond stderr.
export * from './errors.ts'
export * from './clock.ts'
export * from './logger.ts'
