import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Writes a kubeconfig for `server` (plain HTTP, no credentials) and returns its path.
 * client-node 2.x refuses `http://` unless `insecure-skip-tls-verify` is set.
 */
export function writeKubeconfig(
  server: string,
  dir = mkdtempSync(join(tmpdir(), 'anyvip-kube-')),
  file = 'kubeconfig.yaml',
): string {
  const path = join(dir, file);
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
clusters:
  - name: test
    cluster: { server: "${server}", insecure-skip-tls-verify: true }
users:
  - name: test
    user: {}
contexts:
  - name: test
    context: { cluster: test, user: test }
current-context: test
`,
  );
  return path;
}
