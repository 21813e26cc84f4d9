// The package's entry (package.json "exports"): Shoal as a library — createPlane() and
// createAgent() (src/embed). The `shoal` command is src/main.ts.
export * from './embed/index.ts'
