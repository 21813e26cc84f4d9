// createRegistry(): the operations (RegistryCore), their HTTP routes and the OCI import, together.
import type { Hono } from 'hono'
import { importOci, type OciImportOptions, type OciImportResult } from './oci-import.ts'
import { RegistryCore, type RegistryCoreOptions } from './registry.ts'
import { registryRoutes } from './routes.ts'

export type RegistryOptions = RegistryCoreOptions

export class Registry extends RegistryCore {
  /** mount with app.route('/images', registry.app) behind authentication */
  readonly app: Hono

  constructor(o: RegistryOptions) {
    super(o)
    this.app = registryRoutes(this, this.log)
  }

  /** Copies oci://host[:port]/repo:tag (or @sha256:…) in, tagged repo:tag. */
  importOci(ref: string, opts: OciImportOptions = {}): Promise<OciImportResult> {
    return importOci(this, ref, { ...opts, log: this.log }).catch((err) => {
      this.log.warn('OCI import failed', { ref, err: (err as Error).message })
      throw err
    })
  }
}

export function createRegistry(o: RegistryOptions): Registry {
  return new Registry(o)
}
