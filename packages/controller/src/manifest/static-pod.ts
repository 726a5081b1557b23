import type { IPod } from 'kubernetes-models/v1/Pod';
import {
  bgpArgs,
  healthMountPath,
  type KubernetesObject,
  labels,
  type ManifestOptions,
  passwordMountPath,
  terminationGraceSeconds,
} from './options.js';
import { checkRunFlags } from './run-validation.js';
import { containerSecurityContext } from './security.js';

/**
 * The static Pod for the control-plane VIP, written by hand (or by kubeadm's tooling) to
 * `/etc/kubernetes/manifests/` on each control-plane node. The kubelet runs it before the
 * API server exists, so it needs no ServiceAccount, token or API access: its VIP, peers and
 * identity come from flags, and its health from the local kube-apiserver's `/livez`, checked
 * against the host's cluster CA (kubeadm's `/etc/kubernetes/pki/ca.crt`, mounted read-only).
 * The admin listener stays on 127.0.0.1.
 */
export function staticPodManifest(o: ManifestOptions): KubernetesObject {
  checkRunFlags('pod', o);
  const args = [
    'run',
    '--control-plane',
    ...o.vips.map((v) => `--vip=${v}`),
    `--router-id=${o.routerId}`,
    ...bgpArgs(o),
    '--health=apiserver',
    `--admin-address=127.0.0.1:${o.adminPort}`,
  ];
  if (o.passwordFile !== undefined) args.push(`--password-file=${passwordMountPath}`);
  // The probe's credentials: each host file mounted read-only at a fixed path in the container.
  const health = [
    { flag: 'health-client-cert', host: o.healthClientCert, file: 'client.crt' },
    { flag: 'health-client-key', host: o.healthClientKey, file: 'client.key' },
    { flag: 'health-token-file', host: o.healthTokenFile, file: 'token' },
  ].flatMap(({ flag, host, file }) => (host === undefined ? [] : [{ flag, host, file }]));
  for (const h of health) args.push(`--${h.flag}=${healthMountPath}/${h.file}`);
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${o.name}-control-plane`,
      namespace: 'kube-system',
      labels: labels(o, 'control-plane-vip'),
    },
    spec: {
      hostNetwork: true,
      priorityClassName: 'system-node-critical',
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: terminationGraceSeconds(o),
      containers: [
        {
          name: 'anyvip',
          image: o.image,
          args,
          // Where `anyvip status` (kubectl exec, crictl exec) finds the admin listener.
          env: [{ name: 'ANYVIP_ADMIN_ADDRESS', value: `127.0.0.1:${o.adminPort}` }],
          livenessProbe: {
            httpGet: { host: '127.0.0.1', path: '/healthz', port: o.adminPort, scheme: 'HTTP' },
            periodSeconds: 10,
            timeoutSeconds: 2,
            failureThreshold: 3,
          },
          resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
          securityContext: containerSecurityContext(o),
          volumeMounts: [
            { name: 'cluster-ca', mountPath: '/etc/kubernetes/pki/ca.crt', readOnly: true },
            { name: 'tmp', mountPath: '/tmp' },
            ...(o.passwordFile === undefined
              ? []
              : [{ name: 'bgp-password', mountPath: passwordMountPath, readOnly: true }]),
            ...health.map((h) => ({
              name: `health-${h.file.replace('.', '-')}`,
              mountPath: `${healthMountPath}/${h.file}`,
              readOnly: true,
            })),
          ],
        },
      ],
      volumes: [
        { name: 'cluster-ca', hostPath: { path: '/etc/kubernetes/pki/ca.crt', type: 'File' } },
        { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
        ...(o.passwordFile === undefined
          ? []
          : [{ name: 'bgp-password', hostPath: { path: o.passwordFile, type: 'File' as const } }]),
        ...health.map((h) => ({
          name: `health-${h.file.replace('.', '-')}`,
          hostPath: { path: h.host, type: 'File' as const },
        })),
      ],
    },
  } satisfies IPod;
  return pod;
}
