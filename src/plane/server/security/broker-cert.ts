// A serving certificate for an external MQTT broker (Mosquitto) signed by the plane's CA, so the
// agents — which trust only that CA — reach it over mqtts:// with nothing else to configure.
// Written to <dataDir>/pki/broker.crt and broker.key (0600); remade on every call.
import { createPublicKey, X509Certificate } from 'node:crypto'
import { join } from 'node:path'
import { buildCertificate, generateKeyPair } from './certificate.ts'
import { ensurePki } from './pki.ts'
import { writePrivateFile } from './private-file.ts'

const DAY = 24 * 60 * 60 * 1000

/** `sans`: the names and addresses the nodes dial the broker at */
export function issueBrokerCert(
  dataDir: string,
  sans: readonly string[],
): { certFile: string; keyFile: string } {
  const pki = ensurePki(dataDir) // the CA the plane uses (made now if the plane never ran)
  const keys = generateKeyPair()
  const ca = new X509Certificate(pki.caCert)
  const now = Date.now()
  const cert = buildCertificate({
    commonName: 'shoal-broker',
    publicKey: keys.publicKey,
    issuer: {
      commonName: /CN=([^,\n]+)/.exec(ca.subject)?.[1] ?? 'shoal-ca',
      privateKey: pki.caKey,
      publicKey: createPublicKey(pki.caCert),
    },
    notBefore: new Date(now - 60 * 60 * 1000),
    notAfter: new Date(now + 365 * DAY),
    ca: false,
    sans: [...new Set(['localhost', '127.0.0.1', ...sans])],
  })
  const certFile = join(dataDir, 'pki', 'broker.crt')
  const keyFile = join(dataDir, 'pki', 'broker.key')
  writePrivateFile(certFile, cert)
  writePrivateFile(keyFile, keys.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string)
  return { certFile, keyFile }
}
