import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import type { IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { type KubernetesObject, labels, type ManifestOptions } from './options.js';

/**
 * The ServiceAccount and the least RBAC Kubernetes mode uses (observe/kubernetes/ and the sinks, as its
 * README's RBAC table lists the calls): Services are listed and watched in every namespace and
 * their status replaced by the leader (`update`); EndpointSlices and Nodes are listed and
 * watched; Events are recorded on Services, so in their namespaces (core/v1 Events, created,
 * and updated when repeated). In anyvip's namespace only: the leader Lease (read, created,
 * renewed). With `--pools-configmap`, that one ConfigMap (by name: it is listed and watched
 * with a `metadata.name` field selector) in its namespace. Nothing is deleted, and no Secret
 * is readable.
 */
export function rbacManifests(o: ManifestOptions): KubernetesObject[] {
  const meta = (component: string) => ({ name: o.name, labels: labels(o, component) });
  const namespaced = (component: string) => ({
    name: o.name,
    namespace: o.namespace,
    labels: labels(o, component),
  });
  const subject = [{ kind: 'ServiceAccount', name: o.name, namespace: o.namespace }];
  const serviceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: namespaced('rbac'),
  } satisfies IServiceAccount;
  const clusterRole = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: meta('rbac'),
    rules: [
      { apiGroups: [''], resources: ['services'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['services/status'], verbs: ['update'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'update'] },
    ],
  } satisfies IClusterRole;
  const clusterRoleBinding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: meta('rbac'),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: o.name },
    subjects: subject,
  } satisfies IClusterRoleBinding;
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: namespaced('rbac'),
    rules: [
      // The leader Lease, and every node's liveness lease (list/watch them, delete ours on stop).
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'],
      },
    ],
  } satisfies IRole;
  const roleBinding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: namespaced('rbac'),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: o.name },
    subjects: subject,
  } satisfies IRoleBinding;
  const objects: KubernetesObject[] = [serviceAccount, clusterRole, clusterRoleBinding, role, roleBinding];
  const pools = poolsConfigMap(o);
  if (pools === undefined) return objects;
  const poolsMeta = { name: `${o.name}-pools`, namespace: pools.namespace, labels: labels(o, 'rbac') };
  const poolsRole = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: poolsMeta,
    rules: [
      { apiGroups: [''], resources: ['configmaps'], resourceNames: [pools.name], verbs: ['list', 'watch'] },
    ],
  } satisfies IRole;
  const poolsBinding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: poolsMeta,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${o.name}-pools` },
    subjects: subject,
  } satisfies IRoleBinding;
  return [...objects, poolsRole, poolsBinding];
}

/** `--pools-configmap [NS/]NAME`: a bare name is in anyvip's namespace. */
export function poolsConfigMap(
  o: ManifestOptions,
): { readonly namespace: string; readonly name: string } | undefined {
  if (o.poolsConfigMap === undefined || o.poolsConfigMap === '') return undefined;
  const [a = '', b] = o.poolsConfigMap.split('/');
  return b === undefined ? { namespace: o.namespace, name: a } : { namespace: a, name: b };
}
