/**
 * The lab apiservers' serving certificate: self-signed, made by `openssl`, valid for the
 * name `kubernetes` (what anyvip's apiserver probe checks when it dials an IP address, as
 * kubeadm, k3s and RKE2 certificates all carry it) and for 127.0.0.1. The probe trusts it
 * through `caFile`, so TLS is verified as it would be on a real control-plane node.
 */
import { join } from 'node:path';
import { runCommand } from '../packages/bgp/test/interop/support/index.js';

/** PEM files of the certificate. */
export interface Certificate {
  readonly certFile: string;
  readonly keyFile: string;
}

/** Makes a P-256 key and certificate in `dir` (a second or less). */
export async function makeCertificate(dir: string): Promise<Certificate> {
  const certFile = join(dir, 'apiserver.crt');
  const keyFile = join(dir, 'apiserver.key');
  await runCommand('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=kube-apiserver',
    '-addext',
    'subjectAltName=DNS:kubernetes,IP:127.0.0.1',
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  return { certFile, keyFile };
}
