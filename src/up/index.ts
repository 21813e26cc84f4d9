// up — `shoal up`: a whole fleet on one machine, for trying Shoal out and playing with it.
//
// Contract:
// - The plane runs in this process (src/embed), its log in DIR/plane.log; N agents run as child
//   processes of the same entry (`shoal agent`), node-1 … node-N, data dirs DIR/agents/NODE,
//   logs beside; node-1's mesh on the ports asked, the others' on free ports. First run: each
//   agent joins with one join token (revoked once they ran); later runs: their credentials.
//   An agent that dies is reported on stdout and left dead (its pods move elsewhere).
// - The sample images are built (firmware-images/build.mjs: cached) and pushed on every run
//   (pushing what the registry holds only moves tags); the sample Deployment and Service
//   (`hello`, NodePort) are created when absent and never replaced.
// - "ready" is printed once the sample answers at its URL through node-1's mesh; then what to
//   try. SIGINT/SIGTERM stop the agents (SIGTERM, then SIGKILL after 15 s), then the plane, and
//   the process exits 0.
export { parseUpFlags, upUsage, type UpOptions } from './up-flags.ts'
export { runUp } from './up.ts'
