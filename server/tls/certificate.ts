import fs from 'node:fs';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import selfsigned from 'selfsigned';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** Set when this start-up generated the certificate. */
  generatedAt?: string;
}

/**
 * The configured certificate, or a self-signed localhost one kept in `dir` (made on first start,
 * renewed when it nears expiry). Outlook only loads add-ins over HTTPS, and office-addin-dev-certs
 * needs admin rights to trust its CA, so this works everywhere; the browser must trust it once.
 */
export async function loadOrCreateCertificate(options: {
  certFile?: string;
  keyFile?: string;
  dir: string;
}): Promise<TlsMaterial> {
  if (options.certFile && options.keyFile) {
    return { cert: fs.readFileSync(options.certFile, 'utf8'), key: fs.readFileSync(options.keyFile, 'utf8') };
  }
  const certFile = path.join(options.dir, 'localhost-cert.pem');
  const keyFile = path.join(options.dir, 'localhost-key.pem');
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) {
    const cert = fs.readFileSync(certFile, 'utf8');
    const validTo = Date.parse(new X509Certificate(cert).validTo);
    if (validTo - Date.now() > 7 * 86_400_000) return { cert, key: fs.readFileSync(keyFile, 'utf8') };
  }
  const notAfter = new Date(Date.now() + 365 * 86_400_000);
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    notAfterDate: notAfter,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  } as never);
  fs.mkdirSync(options.dir, { recursive: true });
  fs.writeFileSync(certFile, pems.cert);
  fs.writeFileSync(keyFile, pems.private, { mode: 0o600 });
  return { cert: pems.cert, key: pems.private, generatedAt: certFile };
}
