// src/cli — the `shoal` client of the plane's API, with kubectl's verbs, flags, output and
// errors, and kubeconfig contexts shared with kubectl. Contract: runCli(argv, io) runs one
// command line (argv without "shoal") and answers its exit code; output goes only through io.
// Imports src/api and nothing of the plane: it talks to the plane over HTTP only.
export { runCli } from './program.ts'
export { processIo, type Io } from './context.ts'
export { CLI_VERBS, isCliVerb } from './verbs.ts'
