import { isIP } from 'node:net';
import { type Clock, systemClock } from '@anyvip/clock';
import { badConfig, HealthError } from '../errors.js';
import { httpGet, parseHttpUrl } from './http.js';
import { type KubeconfigAuth, type MaterialSource, resolveKubeconfig } from './kubeconfig.js';
import { describeError, type Probe, type ProbeResult } from './probe.js';
import { RotatingFile } from './rotating-file.js';

/** The kube-apiserver health endpoints (`/healthz` is deprecated upstream). */
export type ApiserverEndpoint = 'livez' | 'readyz';

/** The local secure port every common distribution (kubeadm, k3s, RKE2) listens on. */
export const defaultApiserverServer = 'https://127.0.0.1:6443';

/** Where kubelet mounts a pod's service-account token and cluster CA. */
export const defaultServiceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Cluster CA files found on control-plane hosts: kubeadm, k3s, RKE2. */
export const defaultHostCaFiles: readonly string[] = [
  '/etc/kubernetes/pki/ca.crt',
  '/var/lib/rancher/k3s/server/tls/server-ca.crt',
  '/var/lib/rancher/rke2/server/tls/server-ca.crt',
];

/**
 * The certificate name checked when the server is an IP address: `kubernetes` is in the
 * serving certificate of kubeadm, k3s and RKE2, while `127.0.0.1` often is not.
 */
export const defaultApiserverServerName = 'kubernetes';

/** A kube-apiserver `/livez` or `/readyz` probe; every field is optional. */
export interface ApiserverProbeOptions {
  /** Defaults to `livez`. */
  readonly endpoint?: ApiserverEndpoint;
  /**
   * Defaults to `https://127.0.0.1:6443`, even with a kubeconfig: its `server` is often the
   * control-plane VIP itself, and a check must look at the local apiserver, not through the VIP
   * it decides about.
   */
  readonly server?: string;
  /** Take credentials (CA, token or client certificate, tls-server-name) from this kubeconfig. */
  readonly kubeconfig?: string;
  /** The kubeconfig context; defaults to its current-context. */
  readonly context?: string;
  /** A bearer token file (re-read when it rotates); overrides the discovered one. */
  readonly tokenFile?: string;
  /** A CA bundle; overrides the discovered one. */
  readonly caFile?: string;
  /** The name the serving certificate must carry; see {@link defaultApiserverServerName}. */
  readonly serverName?: string;
  /** Skip certificate verification outright. */
  readonly insecureSkipVerify?: boolean;
  /** For tests; defaults to {@link defaultServiceAccountDir}. */
  readonly serviceAccountDir?: string;
  /** For tests; defaults to {@link defaultHostCaFiles}. */
  readonly hostCaFiles?: readonly string[];
  /** Defaults to `apiserver <url>`. */
  readonly name?: string;
}

/**
 * Builds the kube-apiserver preset, made so that `--health apiserver` works unconfigured on a
 * control-plane node:
 *
 * - target `https://127.0.0.1:6443/livez` (or `/readyz`), checked against the name `kubernetes`;
 * - credentials: a kubeconfig when given; otherwise the pod's service-account token when mounted,
 *   else anonymous (kube-apiserver lets `system:unauthenticated` read `/livez` and `/readyz`
 *   through the `system:public-info-viewer` role unless anonymous auth is off);
 * - CA: `caFile`, the kubeconfig's, the service-account `ca.crt`, then the host's cluster CA
 *   ({@link defaultHostCaFiles}); if none is found, TLS is not verified, and every result
 *   reason says so.
 *
 * Files are looked up on every run and re-read when they change, so a token rotation or a CA
 * that appears later is picked up without a restart.
 *
 * @throws HealthError `ANYVIP_HEALTH_BAD_CONFIG`, or `ANYVIP_HEALTH_BAD_KUBECONFIG` when the
 *   kubeconfig cannot be read or resolved now
 */
export function createApiserverProbe(options: ApiserverProbeOptions = {}, clock: Clock = systemClock): Probe {
  const endpoint = options.endpoint ?? 'livez';
  if (endpoint !== 'livez' && endpoint !== 'readyz') {
    throw badConfig(`must be livez or readyz, got ${JSON.stringify(endpoint)}`, 'endpoint');
  }
  const server = parseHttpUrl(options.server ?? defaultApiserverServer, 'server');
  if (server.protocol !== 'https:') throw badConfig('the apiserver is only served over https://', 'server');
  const url = new URL(server.href);
  url.pathname = `${server.pathname.replace(/\/+$/, '')}/${endpoint}`;
  url.search = '';
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (options.caFile !== undefined && options.insecureSkipVerify === true) {
    throw badConfig('caFile and insecureSkipVerify are mutually exclusive', 'insecureSkipVerify');
  }

  const kubeconfig = options.kubeconfig === undefined ? undefined : new RotatingFile(options.kubeconfig);
  let kubeconfigBytes: Buffer | undefined;
  let kubeconfigAuth: KubeconfigAuth | undefined;
  if (kubeconfig !== undefined) {
    // Fail fast on a path or context that cannot work; later changes are picked up per run.
    try {
      kubeconfigBytes = kubeconfig.readSync();
    } catch (err) {
      throw new HealthError(
        'ANYVIP_HEALTH_BAD_KUBECONFIG',
        `cannot read: ${describeError(err)}`,
        'kubeconfig',
      );
    }
    kubeconfigAuth = resolveKubeconfig(kubeconfigBytes.toString('utf8'), kubeconfig.path, options.context);
  }

  const saDir = options.serviceAccountDir ?? defaultServiceAccountDir;
  const discoveredCaFiles = [`${saDir}/ca.crt`, ...(options.hostCaFiles ?? defaultHostCaFiles)];
  const files = new Map<string, RotatingFile>();
  const fileFor = (path: string): RotatingFile => {
    let file = files.get(path);
    if (file === undefined) {
      file = new RotatingFile(path);
      files.set(path, file);
    }
    return file;
  };
  const load = async (source: MaterialSource): Promise<Buffer> =>
    source.kind === 'inline' ? source.data : fileFor(source.path).read();
  const tryLoad = async (path: string): Promise<Buffer | undefined> => {
    try {
      return await fileFor(path).read();
    } catch {
      return undefined;
    }
  };

  return {
    name: options.name ?? `apiserver ${url.href}`,
    async run(signal: AbortSignal): Promise<ProbeResult> {
      const startedMs = clock.now();
      const fail = (reason: string): ProbeResult => ({
        ok: false,
        latencyMs: clock.now() - startedMs,
        reason,
      });
      const notes: string[] = [];

      let auth: KubeconfigAuth | undefined;
      if (kubeconfig !== undefined) {
        try {
          const bytes = await kubeconfig.read();
          if (bytes !== kubeconfigBytes || kubeconfigAuth === undefined) {
            kubeconfigAuth = resolveKubeconfig(bytes.toString('utf8'), kubeconfig.path, options.context);
            kubeconfigBytes = bytes;
          }
          auth = kubeconfigAuth;
        } catch (err) {
          return fail(
            err instanceof HealthError ? err.message : `cannot read kubeconfig: ${describeError(err)}`,
          );
        }
      }

      const headers: Record<string, string> = {};
      let token: Buffer | undefined;
      try {
        if (options.tokenFile !== undefined) token = await load({ kind: 'file', path: options.tokenFile });
        else if (auth?.token !== undefined) token = await load(auth.token);
        else if (kubeconfig === undefined) token = await tryLoad(`${saDir}/token`);
      } catch (err) {
        return fail(`cannot read token: ${describeError(err)}`);
      }
      const tokenText = token?.toString('utf8').trim() ?? '';
      if (tokenText !== '') headers.authorization = `Bearer ${tokenText}`;

      let ca: Buffer | undefined;
      let cert: Buffer | undefined;
      let key: Buffer | undefined;
      let insecure = options.insecureSkipVerify === true || auth?.insecureSkipVerify === true;
      try {
        if (options.caFile !== undefined) ca = await load({ kind: 'file', path: options.caFile });
        else if (auth?.ca !== undefined) ca = await load(auth.ca);
        if (auth?.clientCert !== undefined && auth.clientKey !== undefined) {
          cert = await load(auth.clientCert);
          key = await load(auth.clientKey);
        }
      } catch (err) {
        return fail(`cannot read TLS material: ${describeError(err)}`);
      }
      if (ca === undefined && !insecure) {
        for (const path of discoveredCaFiles) {
          ca = await tryLoad(path);
          if (ca !== undefined) break;
        }
        if (ca === undefined) {
          insecure = true;
          notes.push(`TLS not verified: no CA found at ${discoveredCaFiles.join(', ')}`);
        }
      }
      const servername =
        options.serverName ??
        auth?.tlsServerName ??
        (isIP(host) === 0 ? undefined : defaultApiserverServerName);

      const result = await httpGet(
        {
          url,
          headers,
          tls: {
            rejectUnauthorized: !insecure,
            ...(ca === undefined || insecure ? {} : { ca }),
            ...(cert === undefined ? {} : { cert }),
            ...(key === undefined ? {} : { key }),
            ...(servername === undefined ? {} : { servername }),
          },
          expectStatus: { min: 200, max: 299 },
          bodyMatch: undefined,
          maxBodyBytes: 16 * 1024,
        },
        signal,
        clock,
        startedMs,
      );
      if (!result.ok && headers.authorization === undefined) notes.push('sent without credentials');
      return notes.length === 0 ? result : { ...result, reason: `${result.reason} (${notes.join('; ')})` };
    },
  };
}
