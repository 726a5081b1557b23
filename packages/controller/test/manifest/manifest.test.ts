import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { Pod } from 'kubernetes-models/v1/Pod';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type ManifestKind, manifestKinds } from '../../src/manifest/command.js';
import { manifestObjects, manifestText } from '../../src/manifest/objects.js';
import {
  defaultManifestOptions,
  type KubernetesObject,
  type ManifestOptions,
} from '../../src/manifest/options.js';
import { runCli } from '../support/run-cli.js';

/**
 * Each object is checked by kubernetes-models' validators: ajv functions compiled from the
 * Kubernetes OpenAPI schema (types, enums, required fields, formats). Field names are checked
 * at compile time: the generator's literals `satisfies` the same models' interfaces.
 */
const models: Record<string, new (data: never) => { validate(): void }> = {
  CustomResourceDefinition,
  DaemonSet,
  Pod,
  ServiceAccount,
  ClusterRole,
  ClusterRoleBinding,
  Role,
  RoleBinding,
};

function validate(o: KubernetesObject): void {
  const Model = models[o.kind];
  if (Model === undefined) throw new Error(`no schema for ${o.kind}`);
  new Model(structuredClone(o) as never).validate();
}

/** The inputs behind examples/kubernetes/: one lab-like cluster. */
const example: ManifestOptions = {
  ...defaultManifestOptions,
  peers: ['10.250.0.1'],
  peerAsns: [65000],
  asn: 65001,
  vips: ['10.250.255.1'],
  routerId: '10.250.0.11',
  poolsConfigMap: 'anyvip-pools',
};
const exampleArgv: Record<ManifestKind, string[]> = {
  daemonset: [
    '--asn',
    '65001',
    '--peer',
    '10.250.0.1',
    '--peer-asn',
    '65000',
    '--pools-configmap',
    'anyvip-pools',
  ],
  pod: [
    '--asn',
    '65001',
    '--peer',
    '10.250.0.1',
    '--peer-asn',
    '65000',
    '--vip',
    '10.250.255.1',
    '--router-id',
    '10.250.0.11',
  ],
  rbac: ['--pools-configmap', 'anyvip-pools'],
  crds: [],
};
const exampleFile: Record<ManifestKind, string> = {
  daemonset: 'daemonset.yaml',
  pod: 'control-plane-pod.yaml',
  rbac: 'rbac.yaml',
  crds: 'crds.yaml',
};

describe('anyvip manifest', () => {
  it.each(manifestKinds)('%s: every object validates against the Kubernetes schema', (kind) => {
    const objects = manifestObjects(kind, example);
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) validate(o);
    // The YAML printed is the same objects.
    const docs = parseAllDocuments(manifestText(kind, example, [])).map((d) => d.toJS());
    expect(docs).toEqual(objects);
  });

  it('the schema check is real: a container without a name or with a bad port type is refused', () => {
    const [ds] = manifestObjects('daemonset', example).filter((o) => o.kind === 'DaemonSet');
    const broken = structuredClone(ds) as unknown as {
      spec: { template: { spec: { containers: Record<string, unknown>[] } } };
    };
    const c = broken.spec.template.spec.containers[0] as Record<string, unknown>;
    c.ports = [{ containerPort: 'nine' }];
    expect(() => validate(broken as unknown as KubernetesObject)).toThrow();
  });

  it.each(manifestKinds)(
    'examples/kubernetes/ holds what `anyvip manifest %s` prints (UPDATE_GOLDEN=1 rewrites)',
    async (kind) => {
      const path = fileURLToPath(
        new URL(`../../../../examples/kubernetes/${exampleFile[kind]}`, import.meta.url),
      );
      const text = manifestText(kind, example, exampleArgv[kind]);
      if (process.env.UPDATE_GOLDEN === '1') await writeFile(path, text);
      expect(await readFile(path, 'utf8')).toBe(text);
    },
  );

  it('RBAC is what Kubernetes mode calls: no delete; Secrets and the Lease in its namespace only, the pools ConfigMap by name', () => {
    const objects = manifestObjects('rbac', { ...example, poolsConfigMap: 'ipam/anyvip-pools' });
    const rules = (kind: string, name = 'anyvip') =>
      (objects.find((o) => o.kind === kind && o.metadata.name === name)?.rules ?? []) as {
        resources: string[];
        verbs: string[];
      }[];
    expect(rules('ClusterRole')).toEqual([
      { apiGroups: [''], resources: ['services'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['services/status'], verbs: ['update'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'update'] },
      { apiGroups: [''], resources: ['services'], verbs: ['patch'] },
      {
        apiGroups: ['anyvip.io'],
        resources: ['anyvippeers', 'anyvipadvertisements', 'anyvippools'],
        verbs: ['get', 'list', 'watch'],
      },
      {
        apiGroups: ['anyvip.io'],
        resources: ['anyvippeers/status', 'anyvipadvertisements/status', 'anyvippools/status'],
        verbs: ['update', 'patch'],
      },
      {
        apiGroups: ['anyvip.io'],
        resources: ['anyvipnodestatuses'],
        verbs: ['create', 'get', 'list', 'watch', 'update', 'patch'],
      },
      {
        apiGroups: ['anyvip.io'],
        resources: ['anyvipnodestatuses/status'],
        verbs: ['get', 'update', 'patch'],
      },
    ]);
    expect(rules('Role')).toEqual([
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'],
      },
      { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] },
    ]);
    // Secrets never cluster-wide, and nothing of anyvip.io is deleted.
    const clusterRules = rules('ClusterRole') as { resources: string[]; verbs: string[] }[];
    expect(clusterRules.flatMap((r) => r.resources)).not.toContain('secrets');
    expect(clusterRules.flatMap((r) => r.verbs)).not.toContain('delete');
    const pools = objects.find((o) => o.kind === 'Role' && o.metadata.name === 'anyvip-pools');
    expect(pools?.metadata.namespace).toBe('ipam');
    expect(pools?.rules).toEqual([
      {
        apiGroups: [''],
        resources: ['configmaps'],
        resourceNames: ['anyvip-pools'],
        verbs: ['list', 'watch'],
      },
    ]);
    expect(
      manifestObjects('rbac', { ...example, poolsConfigMap: undefined }).map((o) => o.metadata.name),
    ).not.toContain('anyvip-pools');
  });

  it('the DaemonSet runs as UID 0 with only NET_ADMIN, no escalation, a read-only root and /tmp in memory; it probes the admin listener', () => {
    const ds = manifestObjects('daemonset', example).find(
      (o) => o.kind === 'DaemonSet',
    ) as unknown as DaemonSet;
    const pod = ds.spec?.template.spec;
    const c = pod?.containers[0];
    expect(pod?.hostNetwork).toBe(true);
    expect(c?.securityContext).toMatchObject({
      runAsNonRoot: false,
      runAsUser: 0,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] },
    });
    // `kubectl exec … -- anyvip status` reaches the listener bound to the pod address.
    expect(c?.env).toContainEqual({ name: 'ANYVIP_ADMIN_ADDRESS', value: '$(POD_IP):9716' });
    expect(c?.readinessProbe?.httpGet).toMatchObject({ path: '/readyz', port: 9716 });
    expect(c?.livenessProbe?.httpGet).toMatchObject({ path: '/healthz', port: 9716 });
    expect(c?.args).toContain('--admin-address=$(POD_IP):9716');
    expect(c?.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
  });

  it('--graceful-shutdown-wait reaches anyvip run (RFC 8326 rollouts)', () => {
    const ds = manifestObjects('daemonset', { ...example, gracefulShutdownWait: '10s' }).find(
      (o) => o.kind === 'DaemonSet',
    ) as unknown as DaemonSet;
    expect(ds.spec?.template.spec?.containers[0]?.args).toContain('--graceful-shutdown-wait=10s');
  });

  it('listening below 1024 adds NET_BIND_SERVICE (and needs UID 0: see security.ts); 1179 does not', () => {
    const sc = (listenPort: number) =>
      (
        manifestObjects('daemonset', { ...example, listenPort }).find(
          (o) => o.kind === 'DaemonSet',
        ) as unknown as DaemonSet
      ).spec?.template.spec?.containers[0]?.securityContext;
    expect(sc(179)?.capabilities?.add).toEqual(['NET_ADMIN', 'NET_BIND_SERVICE']);
    expect(sc(1179)?.capabilities?.add).toEqual(['NET_ADMIN']);
  });

  it('the static Pod mounts the apiserver probe credentials read-only and passes their container paths', () => {
    const [pod] = manifestObjects('pod', {
      ...example,
      healthClientCert: '/etc/anyvip/health.crt',
      healthClientKey: '/etc/anyvip/health.key',
    }) as unknown as Pod[];
    const c = pod?.spec?.containers[0];
    expect(c?.args).toContain('--health-client-cert=/etc/anyvip/health/client.crt');
    expect(c?.args).toContain('--health-client-key=/etc/anyvip/health/client.key');
    expect(c?.volumeMounts).toContainEqual({
      name: 'health-client-crt',
      mountPath: '/etc/anyvip/health/client.crt',
      readOnly: true,
    });
    expect(pod?.spec?.volumes).toContainEqual({
      name: 'health-client-key',
      hostPath: { path: '/etc/anyvip/health.key', type: 'File' },
    });
    validate(pod as unknown as KubernetesObject);
    const [plain] = manifestObjects('pod', example) as unknown as Pod[];
    expect(plain?.spec?.containers[0]?.args?.some((a) => a.startsWith('--health-'))).toBe(false);
  });

  it('--listen-port makes anyvip run listen (passed through to both kinds); without it, no listener', () => {
    const container = (kind: 'daemonset' | 'pod', listenPort: number | undefined) => {
      const o = manifestObjects(kind, { ...example, listenPort }).find(
        (x) => x.kind === 'DaemonSet' || x.kind === 'Pod',
      );
      return o?.kind === 'DaemonSet'
        ? (o as unknown as DaemonSet).spec?.template.spec?.containers[0]
        : (o as unknown as Pod).spec?.containers[0];
    };
    expect(container('daemonset', 1179)?.args).toContain('--listen-port=1179');
    expect(container('pod', 179)?.args).toContain('--listen-port=179');
    expect(container('pod', undefined)?.args?.some((a) => a.startsWith('--listen-port'))).toBe(false);
  });

  it('the static Pod needs no ServiceAccount and no API server: flags only, health from the local /livez', () => {
    const [pod] = manifestObjects('pod', example) as unknown as Pod[];
    expect(pod?.spec?.serviceAccountName).toBeUndefined();
    expect(pod?.spec?.automountServiceAccountToken).toBe(false);
    expect(pod?.spec?.hostNetwork).toBe(true);
    expect(pod?.spec?.containers[0]?.args).toEqual([
      'run',
      '--control-plane',
      '--vip=10.250.255.1',
      '--router-id=10.250.0.11',
      '--asn=65001',
      '--peer=10.250.0.1',
      '--peer-asn=65000',
      '--health=apiserver',
      '--admin-address=127.0.0.1:9716',
    ]);
    expect(() => manifestObjects('pod', { ...example, vips: [] })).toThrow(/--vip is required/);
    expect(() => manifestObjects('pod', { ...example, routerId: undefined })).toThrow(
      /--router-id is required/,
    );
  });
  it('a TCP-MD5 key comes from a Secret mounted as a file (DaemonSet) or a host file (static Pod), never inline; GTSM and BFD are flags', () => {
    const secured = { ...example, passwordSecret: 'bgp-auth/md5', ttlSecurity: true, bfdIntervalMs: 100 };
    const objects = manifestObjects('daemonset', secured);
    for (const o of objects) validate(o);
    const ds = objects.find((o) => o.kind === 'DaemonSet') as unknown as DaemonSet;
    const spec = ds.spec?.template.spec;
    const args = spec?.containers[0]?.args ?? [];
    expect(args).toContain('--password-file=/etc/anyvip/bgp-password/password');
    expect(args).toContain('--ttl-security');
    expect(args).toContain('--bfd-interval=100');
    expect(spec?.volumes?.find((v) => v.name === 'bgp-password')?.secret).toEqual({
      secretName: 'bgp-auth',
      items: [{ key: 'md5', path: 'password' }],
      defaultMode: 0o440,
    });
    expect(spec?.securityContext?.fsGroup).toBeUndefined(); // root owns the file: no group needed
    // No Secret object; Secrets are readable in anyvip's namespace only (a Role, for AnyvipPeer.passwordSecretRef).
    expect(JSON.stringify(objects)).not.toMatch(/"kind":"Secret"/);
    expect(JSON.stringify(objects.filter((o) => o.kind === 'ClusterRole'))).not.toMatch(/secrets/);
    expect(() => manifestObjects('daemonset', { ...example, passwordSecret: 'a/b/c' })).toThrow(
      /NAME or NAME\/KEY/,
    );

    const [pod] = manifestObjects('pod', { ...example, passwordFile: '/etc/anyvip/md5.key' });
    if (pod === undefined) throw new Error('no pod');
    validate(pod);
    const p = pod as unknown as Pod;
    expect(p.spec?.containers[0]?.args).toContain('--password-file=/etc/anyvip/bgp-password');
    expect(p.spec?.volumes?.find((v) => v.name === 'bgp-password')?.hostPath).toEqual({
      path: '/etc/anyvip/md5.key',
      type: 'File',
    });
  });
});

describe('anyvip manifest crds (the CLI)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints the four CRDs, exit 0, ready for kubectl apply', async () => {
    const { code, stdout, stderr } = await runCli(['manifest', 'crds']);
    expect([code, stderr]).toEqual([0, '']);
    const docs = parseAllDocuments(stdout).map((d) => d.toJS() as KubernetesObject);
    expect(docs.map((d) => [d.kind, d.metadata.name])).toEqual([
      ['CustomResourceDefinition', 'anyvippeers.anyvip.io'],
      ['CustomResourceDefinition', 'anyvipadvertisements.anyvip.io'],
      ['CustomResourceDefinition', 'anyvippools.anyvip.io'],
      ['CustomResourceDefinition', 'anyvipnodestatuses.anyvip.io'],
    ]);
    for (const d of docs) validate(d);
  });
});
