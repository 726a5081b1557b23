import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import type { IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { anyvipGroup } from '../kubernetes/crds/group.js';
import {
  anyvipAdvertisementNames,
  anyvipNodeStatusNames,
  anyvipPeerNames,
  anyvipPoolNames,
} from '../kubernetes/crds/names.js';
import { type KubernetesObject, labels, type ManifestOptions } from './options.js';

/**
 * The ServiceAccount and the least RBAC Kubernetes mode uses (observe/kubernetes/ and the sinks, as its
 * README's RBAC table lists the calls): Services are listed and watched in every namespace and
 * their status replaced by the leader (`update`); EndpointSlices and Nodes are listed and
 * watched; Events are recorded on Services, so in their namespaces (core/v1 Events, created,
 * and updated when repeated). In anyvip's namespace only: the leader Lease (read, created,
 * renewed) and the node liveness leases (each node's own renewed and deleted on stop, all
 * listed and watched). People are not bound here: `anyvip status --cluster` needs `list` on
 * anyvipnodestatuses and on leases in this namespace, which the cluster grants its operators. With `--pools-configmap`, that one ConfigMap (by name: it is listed and watched
 * with a `metadata.name` field selector) in its namespace. Nothing is deleted.
 *
 * The anyvip.io kinds (issue 14): AnyvipPeer, AnyvipAdvertisement and AnyvipPool are read
 * (get/list/watch) and only their status written (the leader's `Accepted` condition); each
 * node creates and updates its own AnyvipNodeStatus (and its status), and the leader lists and
 * watches them to write the Services' `anyvip.io/announced-by` annotation (hence `patch` on
 * Services). Secrets (the peers' TCP-MD5 keys, `passwordSecretRef`) are readable in anyvip's
 * own namespace only, by a Role: never cluster-wide.
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
      ...anyvipRules,
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
      // AnyvipPeer.spec.passwordSecretRef names a Secret here, and only here.
      { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] },
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

const configPlurals = [anyvipPeerNames.plural, anyvipAdvertisementNames.plural, anyvipPoolNames.plural];

/** The ClusterRole rules for the anyvip.io kinds (see {@link rbacManifests}). */
const anyvipRules = [
  { apiGroups: [''], resources: ['services'], verbs: ['patch'] },
  { apiGroups: [anyvipGroup], resources: configPlurals, verbs: ['get', 'list', 'watch'] },
  {
    apiGroups: [anyvipGroup],
    resources: configPlurals.map((p) => `${p}/status`),
    verbs: ['update', 'patch'],
  },
  {
    apiGroups: [anyvipGroup],
    resources: [anyvipNodeStatusNames.plural],
    verbs: ['create', 'get', 'list', 'watch', 'update', 'patch'],
  },
  {
    apiGroups: [anyvipGroup],
    resources: [`${anyvipNodeStatusNames.plural}/status`],
    verbs: ['get', 'update', 'patch'],
  },
];

/** `--pools-configmap [NS/]NAME`: a bare name is in anyvip's namespace. */
export function poolsConfigMap(
  o: ManifestOptions,
): { readonly namespace: string; readonly name: string } | undefined {
  if (o.poolsConfigMap === undefined || o.poolsConfigMap === '') return undefined;
  const [a = '', b] = o.poolsConfigMap.split('/');
  return b === undefined ? { namespace: o.namespace, name: a } : { namespace: a, name: b };
}
