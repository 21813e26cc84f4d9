// What the kubectl end-to-end suites share: a temp dir, the real plane process started before
// the suite and stopped after it, and the stock kubectl on PATH run against it with the admin
// kubeconfig the plane wrote. Without kubectl a suite is one test that says it was skipped.
import { test } from 'uvu'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startPlane, type PlaneProcess } from './plane-process.ts'

export const haveKubectl =
  spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0

export interface KubectlRun {
  status: number | null
  /** stdout and stderr together */
  out: string
  stdout: string
  stderr: string
}

export interface KubectlSuite {
  dir: string
  dataDir: string
  /** the running plane (set once the suite's before hook ran) */
  plane(): PlaneProcess
  /** the environment kubectl runs with (for spawning it yourself) */
  env: NodeJS.ProcessEnv
  /** runs kubectl; throws with its output when it fails, unless `ok: false` */
  kubectl(args: string[], opts?: { input?: string; ok?: boolean; kubeconfig?: string }): KubectlRun
  /** `kubectl get <args> -o json`, parsed */
  getJson(...args: string[]): any
  /** writes a file into the suite's dir and returns its path */
  file(name: string, text: string): string
}

/** the suite's shared parts; undefined (after registering the SKIPPED test) without kubectl */
export function kubectlSuite(name: string): KubectlSuite | undefined {
  if (!haveKubectl) {
    test(`${name} e2e`, () => console.log(`SKIPPED ${name} e2e: no kubectl on PATH`))
    return undefined
  }
  const dir = mkdtempSync(join(tmpdir(), `shoal-${name}-`))
  const dataDir = join(dir, 'data')
  const env = { ...process.env, KUBECONFIG: join(dataDir, 'admin.kubeconfig'), HOME: dir }
  let plane: PlaneProcess | undefined
  test.before(async () => {
    plane = await startPlane(dataDir)
  })
  test.after(async () => {
    await plane?.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  const kubectl: KubectlSuite['kubectl'] = (args, opts = {}) => {
    const r = spawnSync('kubectl', ['--cache-dir', join(dir, 'cache'), ...args], {
      encoding: 'utf8',
      input: opts.input,
      env: opts.kubeconfig ? { ...env, KUBECONFIG: opts.kubeconfig } : env,
      timeout: 60_000,
    })
    const run = {
      status: r.status,
      out: (r.stdout ?? '') + (r.stderr ?? ''),
      stdout: r.stdout ?? '',
      stderr: r.stderr ?? '',
    }
    if (opts.ok !== false && r.status !== 0)
      throw new Error(`kubectl ${args.join(' ')} failed (${r.status}):\n${run.out}`)
    return run
  }
  return {
    dir,
    dataDir,
    env,
    plane: () => plane!,
    kubectl,
    getJson: (...args) => JSON.parse(kubectl(['get', ...args, '-o', 'json']).stdout),
    file: (fileName, text) => {
      const p = join(dir, fileName)
      writeFileSync(p, text)
      return p
    },
  }
}
