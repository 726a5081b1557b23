import { type Clock, systemClock } from '@anyvip/healthcheck';
import type { ClusterFeed, ClusterHooks } from './app.js';
import type { KubernetesSettings } from './config/kubernetes-flags.js';
import { createKubeClients, type KubeClients, kubeConfigSourceOf } from './kubernetes/client.js';
import { ClusterObserver } from './observe/kubernetes/cluster-observer.js';
import {
  FabricObserver,
  fabricGroup,
  fabricKinds,
  fabricVersion,
} from './observe/kubernetes/fabric-observer.js';
import { type IpReader, NodeNetworkObserver } from './observe/node-network.js';
import { AnnouncedBySink } from './sinks/announced-by.js';
import { EventRecorder } from './sinks/event-recorder.js';
import { FabricConditionSink, type FabricStatusObject } from './sinks/fabric-conditions.js';
import { createIpRunner } from './sinks/ip-runner.js';
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
  deps: {
    readonly clients?: KubeClients;
    readonly clock?: Clock;
    /** Reads this node's routes and addresses (`ip -j …`); default iproute2 here. */
    readonly ip?: IpReader;
  } = {},
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
  const fabric = new FabricObserver({
    clients,
    namespace: settings.leaseNamespace,
    clock,
    onChange: hooks.changed,
    report: hooks.report,
    nodeAnnotations: () => observer.node(settings.nodeName)?.metadata?.annotations,
  });
  const ipRunner = deps.ip === undefined ? createIpRunner() : undefined;
  const network = new NodeNetworkObserver({
    ip: deps.ip ?? ((args) => (ipRunner ?? createIpRunner()).run(args)),
    clock,
    onChange: hooks.changed,
    onError: (reason) =>
      hooks.report({ kind: 'kubernetesError', resource: 'node routes (ip -j route)', reason }),
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
    ...(settings.kubeVipAnnotationPrefix !== undefined
      ? { kubeVipAnnotationPrefix: settings.kubeVipAnnotationPrefix }
      : {}),
  };
  const nodeStatus = new NodeStatusSink({
    api: clients.custom,
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
      new FabricConditionSink({
        // The cache holds the object as the API served it (plain JSON, status as written).
        lookup: (kind, name) => fabric.object(kind, name) as FabricStatusObject | undefined,
        write: async (kind, name, body) => {
          await clients.custom.replaceClusterCustomObjectStatus({
            group: fabricGroup,
            version: fabricVersion,
            plural: fabricKinds[kind],
            name,
            body,
          });
        },
        events,
        report: hooks.report,
      }),
      new KubernetesEventSink({ events, report: hooks.report, nodeName: settings.nodeName }),
    ],
    observe: () => {
      const snapshot = observer.snapshot();
      // Until the anyvip.io kinds are listed (or known absent), no world: announcing every VIP
      // to every peer first and narrowing it when the advertisements arrive would be a leak.
      if (snapshot === undefined || !fabric.initialSynced || !network.read) return undefined;
      return {
        snapshot: { ...snapshot, fabric: { ...fabric.snapshot(), network: network.network } },
        settings: clusterSettings,
      };
    },
    synced: async () => {
      await observer.synced();
      await Promise.all([fabric.whenSynced(), network.firstRead()]);
    },
    start: () => {
      network.start();
      fabric.start();
      observer.start();
    },
    stop: async () => {
      nodeStatus.stop();
      announcedBy.stop();
      network.stop();
      fabric.stop();
      await observer.stop();
      await events.flush();
    },
  };
}
