import { type Clock, systemClock } from '@anyvip/healthcheck';
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { ClusterFeed, ClusterHooks } from './app.js';
import type { KubernetesSettings } from './config/kubernetes-flags.js';
import { createKubeClients, type KubeClients, kubeConfigSourceOf } from './kubernetes/client.js';
import { ClusterObserver } from './observe/kubernetes/cluster-observer.js';
import { AnnouncedBySink } from './sinks/announced-by.js';
import { EventRecorder } from './sinks/event-recorder.js';
import { KubernetesEventSink } from './sinks/kubernetes-events.js';
import { NodeStatusSink } from './sinks/node-status.js';
import { ServiceStatusSink } from './sinks/service-status.js';

/**
 * Wires Kubernetes Services mode into the one pipeline: the cluster observer feeds the
 * desired world (as the configuration file does in standalone mode), and two more sinks
 * carry its Kubernetes part out: Service status (the leader) and Events. The runtime's loop
 * drives them with the same coalescing, ordering and back-off as the loopback and BGP sinks.
 */
export function createKubernetesFeed(
  settings: KubernetesSettings,
  hooks: ClusterHooks,
  deps: { readonly clients?: KubeClients; readonly clock?: Clock } = {},
): ClusterFeed {
  const clients = deps.clients ?? createKubeClients(kubeConfigSourceOf(settings.kubeconfig, process.env));
  const clock = deps.clock ?? systemClock;
  const observer = new ClusterObserver({
    clients,
    nodeName: settings.nodeName,
    leaseName: settings.leaseName,
    leaseNamespace: settings.leaseNamespace,
    poolsConfigMap: settings.poolsConfigMap,
    ...(settings.nodeLeaseIntervalMs !== undefined
      ? { nodeLease: { intervalMs: settings.nodeLeaseIntervalMs } }
      : {}),
    clock,
    onChange: hooks.changed,
    report: hooks.report,
  });
  const events = new EventRecorder({
    api: clients.core,
    component: 'anyvip',
    host: settings.nodeName,
    clock,
    onError: (reason) => hooks.report({ kind: 'kubernetesError', resource: 'events', reason }),
  });
  const cm = settings.poolsConfigMap;
  const clusterSettings = {
    nodeName: settings.nodeName,
    loadBalancerClass: settings.loadBalancerClass,
    singleAnnouncer: settings.singleAnnouncer,
    localGraceMs: settings.localGraceMs,
    weightedEcmp: settings.weightedEcmp,
    weightedEcmpIntervalMs: settings.weightedEcmpIntervalMs,
    allowList: settings.allowList,
    ...(settings.nodeLeaseIntervalMs !== undefined
      ? { nodeLeaseIntervalMs: settings.nodeLeaseIntervalMs }
      : {}),
    poolsConfigMap: cm === undefined ? '' : `${cm.namespace}/${cm.name}`,
  };
  const nodeStatus = new NodeStatusSink({
    api: clients.config.makeApiClient(CustomObjectsApi),
    clock,
    wake: hooks.changed,
    report: hooks.report,
    nodeUid: () =>
      observer.snapshot()?.nodes.find((n) => n.metadata?.name === settings.nodeName)?.metadata?.uid,
  });
  const announcedBy = new AnnouncedBySink({
    api: clients.core,
    lookup: (namespace, name) => observer.service(namespace, name),
    stillLeader: () => observer.leader,
    clock,
    wake: hooks.changed,
    report: hooks.report,
  });
  return {
    sinks: [
      nodeStatus,
      announcedBy,
      new ServiceStatusSink({
        api: clients.core,
        lookup: (namespace, name) => observer.service(namespace, name),
        stillLeader: () => observer.leader,
        events,
        report: hooks.report,
      }),
      new KubernetesEventSink({ events, report: hooks.report, nodeName: settings.nodeName }),
    ],
    observe: () => {
      const snapshot = observer.snapshot();
      return snapshot === undefined ? undefined : { snapshot, settings: clusterSettings };
    },
    synced: () => observer.synced(),
    start: () => observer.start(),
    stop: async () => {
      nodeStatus.stop();
      announcedBy.stop();
      await observer.stop();
      await events.flush();
    },
  };
}
