import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { AnyvipError } from '../errors.js';
import {
  bgpArgs,
  type KubernetesObject,
  labels,
  type ManifestOptions,
  passwordMountPath,
  terminationGraceSeconds,
} from './options.js';
import { shippedProcessEnv } from './process-env.js';
import { checkRunFlags } from './run-validation.js';
import { containerSecurityContext } from './security.js';

/** With `--graceful-shutdown-wait`: seconds a new pod must stay Ready before the next node's turn. */
const ROLLOUT_MIN_READY_SECONDS = 5;

/**
 * The DaemonSet for Service VIPs: one `anyvip run` per node, on the host network (VIPs go on
 * the node's `lo` and BGP leaves from the node's address). The downward API gives the node
 * name, the node address as router id and the pod (= node) address for the admin listener,
 * which the kubelet's probes call: `/healthz` for liveness, `/readyz` for readiness (first
 * pass done and a BGP session Established), so a rolling update (one node at a time) moves
 * on only once the new pod is heard by a router. SIGTERM withdraws before exit; the grace
 * period leaves time for RFC 8326 graceful shutdown.
 */
export function daemonSetManifest(o: ManifestOptions): KubernetesObject {
  checkRunFlags('daemonset', o);
  const selector = { 'app.kubernetes.io/name': 'anyvip', 'app.kubernetes.io/instance': o.name };
  const args = [
    'run',
    '--node-name=$(NODE_NAME)',
    '--router-id=$(NODE_IP)',
    ...bgpArgs(o),
    `--admin-address=$(POD_IP):${o.adminPort}`,
  ];
  if (o.loadBalancerClass !== undefined) args.push(`--load-balancer-class=${o.loadBalancerClass}`);
  if (o.leaseName !== undefined) args.push(`--lease-name=${o.leaseName}`);
  if (o.poolsConfigMap !== undefined) args.push(`--pools-configmap=${o.poolsConfigMap}`);
  for (const r of o.allowedRanges) args.push(`--allowed-range=${r}`);
  if (o.singleAnnouncer) args.push('--single-announcer');
  const secret = passwordSecretRef(o.passwordSecret);
  if (secret !== undefined) args.push(`--password-file=${passwordMountPath}/password`);
  const probe = (path: string) => ({
    httpGet: { path, port: o.adminPort, scheme: 'HTTP' as const },
    periodSeconds: 10,
    timeoutSeconds: 2,
    failureThreshold: 3,
  });
  const ds = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: o.name, namespace: o.namespace, labels: labels(o, 'service-vips') },
    spec: {
      selector: { matchLabels: selector },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      // A hitless rollout (RFC 8326) also waits, after the new pod is Ready (a session
      // Established), for the router to install its routes before the next node is stopped
      // (BIRD may hold a batch up to 3 s): docs/rollouts.md.
      ...(o.gracefulShutdownWait !== undefined ? { minReadySeconds: ROLLOUT_MIN_READY_SECONDS } : {}),
      template: {
        metadata: { labels: { ...selector, 'app.kubernetes.io/component': 'service-vips' } },
        spec: {
          serviceAccountName: o.name,
          hostNetwork: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          priorityClassName: 'system-node-critical',
          terminationGracePeriodSeconds: terminationGraceSeconds(o),
          tolerations: [
            { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
          ],
          containers: [
            {
              name: 'anyvip',
              image: o.image,
              args,
              env: [
                { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                { name: 'NODE_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
                { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                // Where `kubectl exec … -- anyvip status` finds the admin listener (cli/status-command.ts).
                { name: 'ANYVIP_ADMIN_ADDRESS', value: `$(POD_IP):${o.adminPort}` },
                { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                // What the image sets, repeated for images built elsewhere (manifest/process-env.ts).
                ...Object.entries(shippedProcessEnv).map(([name, value]) => ({ name, value })),
              ],
              ports: [{ name: 'admin', containerPort: o.adminPort, protocol: 'TCP' }],
              livenessProbe: probe('/healthz'),
              readinessProbe: probe('/readyz'),
              resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
              securityContext: containerSecurityContext(o),
              volumeMounts: [
                { name: 'tmp', mountPath: '/tmp' },
                ...(secret === undefined
                  ? []
                  : [{ name: 'bgp-password', mountPath: passwordMountPath, readOnly: true }]),
              ],
            },
          ],
          volumes: [
            { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
            ...(secret === undefined
              ? []
              : [
                  {
                    name: 'bgp-password',
                    secret: {
                      secretName: secret.name,
                      items: [{ key: secret.key, path: 'password' }],
                      defaultMode: 0o440,
                    },
                  },
                ]),
          ],
        },
      },
    },
  } satisfies IDaemonSet;
  return ds;
}

/** `NAME` or `NAME/KEY` (key default `password`). */
function passwordSecretRef(ref: string | undefined): { name: string; key: string } | undefined {
  if (ref === undefined) return undefined;
  const [name, key = 'password', ...rest] = ref.split('/');
  if (name === undefined || name === '' || key === '' || rest.length > 0)
    throw new AnyvipError(
      'ANYVIP_USAGE',
      `manifest daemonset: --password-secret takes NAME or NAME/KEY, got ${JSON.stringify(ref)}`,
    );
  return { name, key };
}
