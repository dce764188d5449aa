// A throwaway self-signed certificate for `idemaudit serve --tls`, made with the openssl command
// (Node has no API to create certificates). Valid for 127.0.0.1, ::1 and localhost, for 7 days.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface GeneratedCertificate {
  key: string;
  cert: string;
  /** Where the certificate was written, to pass to `idemaudit run --ca`. */
  certFile: string;
}

export class CertificateError extends Error {
  override readonly name = 'CertificateError';
}

export function tlsCertificate(dir = mkdtempSync(path.join(tmpdir(), 'idemaudit-tls-'))): GeneratedCertificate {
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '7',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
  } catch (err) {
    throw new CertificateError(
      `cannot create a self-signed certificate with openssl (${err instanceof Error ? err.message : String(err)}); pass --cert and --key instead`,
    );
  }
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}
