import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import type { IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { type KubernetesObject, labels, type ManifestOptions } from './options.js';

/**
 * The ServiceAccount and the least RBAC Kubernetes mode uses (sources/kubernetes/): Services
 * are listed and watched in every namespace and their status written by the leader;
 * EndpointSlices and Nodes are listed and watched; Events are recorded on Services, so in
 * their namespaces (core/v1 Events, created and updated when repeated). In anyvip's own
 * namespace only: the leader Lease (read, created, renewed) and the pools ConfigMap (read and
 * watched). Nothing is deleted, and no Secret is readable.
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
      { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['services/status'], verbs: ['update', 'patch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch', 'update'] },
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
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] },
    ],
  } satisfies IRole;
  const roleBinding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: namespaced('rbac'),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: o.name },
    subjects: subject,
  } satisfies IRoleBinding;
  return [serviceAccount, clusterRole, clusterRoleBinding, role, roleBinding];
}
