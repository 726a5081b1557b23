import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FakeClock } from '@anyvip/healthcheck';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseRange } from '../../src/address/ip-range.js';
import { parseConfig } from '../../src/config/schema.js';
import type { ClusterEndpointSlice, ClusterNode, ClusterService } from '../../src/desired/cluster.js';
import { computeDesiredWorld } from '../../src/desired/compute.js';
import type { FabricObject, FabricSecret, NodeNetwork } from '../../src/desired/fabric.js';
import type { Lifecycle } from '../../src/desired/lifecycle.js';
import {
  type ClusterMemory,
  type ClusterSettings,
  initialClusterMemory,
} from '../../src/desired/observation.js';
import type { DesiredState } from '../../src/desired/types.js';
import { fabricObjectOf } from '../../src/observe/kubernetes/fabric-object.js';
import { type CustomObject, fabricSecretOf } from '../../src/observe/kubernetes/fabric-observer.js';
import { type PassReport, ReconcileLoop } from '../../src/reconcile/loop.js';
import { BgpSink } from '../../src/sinks/bgp.js';
import { FabricConditionSink, type FabricStatusObject } from '../../src/sinks/fabric-conditions.js';
import { KubernetesEventSink } from '../../src/sinks/kubernetes-events.js';
import { LoopbackSink } from '../../src/sinks/loopback.js';
import { FakeStatusSink, RecordedEvents, type StatusHolder } from '../support/fake-cluster-sinks.js';
import { FakeIp } from '../support/fake-ip.js';
import { fakeRouterFactory } from '../support/fake-router.js';
import { formatTxtar, parseTxtar, type Txtar } from './txtar.js';

/**
 * Kubernetes mode as scenario files, in the style of Cilium's BGP control-plane txtar tests:
 * each file under testdata/ is a script (the archive's comment) and its inputs and expected
 * worlds (the archive's files). The script drives the real pipeline (computeDesiredWorld →
 * ReconcileLoop → BgpSink and LoopbackSink on fakes, the Kubernetes Event sink, a fake status
 * writer) and compares the desired world, as text, with the expected files.
 *
 * Commands, one per line (`#` starts a comment):
 *   apply FILE                         Services, EndpointSlices, Nodes, ConfigMaps (YAML, many per file)
 *   delete KIND NAMESPACE/NAME         (or KIND NAME for a Node)
 *   leader true|false                  whether this instance holds the lease
 *   time MS                            the monotonic clock (grace periods)
 *   lifecycle KIND [REASON]            running, gracefulShutdown, withdrawn, closed, restart
 *   reconcile                          one pass; the sinks must converge with no error
 *   cmp FILE                           the world (and the Events told since the last cmp) equals FILE
 *   reconcile again: nothing changes   one more pass: no sink changes anything, nothing is told
 *   record calls                       from now on, cmp also lists what the speaker was asked (peers,
 *                                      per-peer routes): proves what a change touched and what it did not
 *
 * anyvip.io objects (AnyvipPeer, AnyvipAdvertisement, AnyvipPool) are applied like the others and
 * checked as the fabric observer checks them; Secrets in kube-system (anyvip's namespace here)
 * give TCP-MD5 keys. `settings.yaml` may hold `defaultGateway: { ipv4, ipv6 }` (this node's
 * routes, for autoDiscovery).
 *
 * `-- settings.yaml --` holds Kubernetes mode's settings (nodeName, allowedRanges,
 * singleAnnouncer, localGraceMs, loadBalancerClass, weightedEcmp, weightedEcmpIntervalMs; the API
 * server's addresses come from the default/kubernetes objects a scenario applies). UPDATE_GOLDEN=1
 * rewrites the expected files from what the run produced.
 */

const dir = fileURLToPath(new URL('./testdata/', import.meta.url));
const update = process.env.UPDATE_GOLDEN === '1';

const config = parseConfig({
  bgp: {
    asn: 65001,
    routerId: '10.250.0.11',
    peers: [
      {
        address: '10.250.0.1',
        asn: 65000,
        families: ['ipv4', 'ipv6'],
        nextHopSelf: { ipv6: 'fd00:250::11' },
      },
    ],
  },
});

const POOLS = 'kube-system/anyvip-pools';

type KubeObject = {
  kind?: string;
  metadata?: { name?: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
};

function settingsOf(t: Txtar): ClusterSettings {
  const text = t.files.find((f) => f.name === 'settings.yaml')?.data ?? '';
  const raw = (parseAllDocuments(text)[0]?.toJSON() ?? {}) as Record<string, unknown>;
  const allowList = ((raw.allowedRanges as string[] | undefined) ?? []).map((r) => {
    const range = parseRange(r);
    if ('error' in range) throw new Error(range.error);
    return range;
  });
  return {
    nodeName: (raw.nodeName as string | undefined) ?? 'node1',
    loadBalancerClass: raw.loadBalancerClass as string | undefined,
    singleAnnouncer: (raw.singleAnnouncer as boolean | undefined) ?? false,
    localGraceMs: (raw.localGraceMs as number | undefined) ?? 5000,
    weightedEcmp: (raw.weightedEcmp as boolean | undefined) ?? false,
    weightedEcmpIntervalMs: (raw.weightedEcmpIntervalMs as number | undefined) ?? 5000,
    allowList,
    poolsConfigMap: POOLS,
  };
}

function networkOf(t: Txtar): NodeNetwork {
  const text = t.files.find((f) => f.name === 'settings.yaml')?.data ?? '';
  const raw = (parseAllDocuments(text)[0]?.toJSON() ?? {}) as {
    defaultGateway?: { ipv4?: string; ipv6?: string };
  };
  return { defaultGateway: raw.defaultGateway ?? {}, interfaces: new Map(), connected: [] };
}

const fabricKindsApplied = ['AnyvipPeer', 'AnyvipAdvertisement', 'AnyvipPool'] as const;

/** The desired world as text: what each sink should hold, one fact per line, sorted within a kind. */
function dump(d: DesiredState, told: readonly string[]): string {
  const out: string[] = [`lifecycle ${d.lifecycle.kind}`];
  if (d.bgp !== undefined) {
    for (const p of d.bgp.peers.values())
      out.push(
        `peer ${p.address} as ${p.asn}${p.source === undefined ? '' : ` from ${p.source} hold ${p.holdTimeSec}${p.password !== undefined ? ` key ${p.password.from}` : ''}`}`,
      );
    if (d.bgp.end !== undefined)
      out.push(`speaker end${d.bgp.end.restart ? ' (restart)' : ''}: ${d.bgp.end.reason}`);
    for (const r of [...d.bgp.routes.values()].sort((a, b) => a.prefix.localeCompare(b.prefix))) {
      const a = r.attributes;
      const attrs = [
        a.communities.length > 0 ? `communities ${a.communities.join(' ')}` : '',
        a.med !== undefined ? `med ${a.med}` : '',
        a.extendedCommunities.length > 0 ? `extcommunities ${a.extendedCommunities.join(' ')}` : '',
      ].filter((x) => x !== '');
      out.push(`route ${r.prefix}${attrs.length > 0 ? ` ${attrs.join(' ')}` : ''}`);
    }
  }
  if (d.bgp !== undefined) {
    const routes = d.bgp.routes;
    // Per-peer export, only where it differs from every route to every peer.
    for (const [peer, r] of d.bgp.routesByPeer) {
      if (r === routes) continue;
      for (const x of [...r.values()].sort((a, b) => a.prefix.localeCompare(b.prefix))) {
        const a = x.attributes;
        const attrs = [
          a.communities.length > 0 ? `communities ${a.communities.join(' ')}` : '',
          a.largeCommunities.length > 0 ? `large ${a.largeCommunities.join(' ')}` : '',
          a.localPref !== undefined ? `localpref ${a.localPref}` : '',
          a.med !== undefined ? `med ${a.med}` : '',
          a.asPathPrepend > 0 ? `prepend ${a.asPathPrepend}` : '',
        ].filter((t) => t !== '');
        out.push(`export ${peer} ${x.prefix}${attrs.length > 0 ? ` ${attrs.join(' ')}` : ''}`);
      }
      if (r.size === 0) out.push(`export ${peer} nothing`);
    }
    const { asn, routerId } = d.bgp.speaker;
    if (asn !== config.bgp?.asn || routerId !== config.bgp.routerId)
      out.push(`speaker as ${asn} id ${routerId}`);
  }
  for (const k of [...d.loopback.addresses.keys()].sort()) out.push(`lo ${k}`);
  const k8s = d.kubernetes;
  if (k8s !== undefined) {
    for (const [key, s] of [...k8s.services].sort(([a], [b]) => a.localeCompare(b))) {
      if (s.ingress !== undefined) out.push(`status ${key} [${s.ingress.join(', ')}]`);
      if (s.announcedHere.length > 0) out.push(`here ${key} ${s.announcedHere.join(' ')}`);
      for (const r of s.refused) out.push(`refused ${key} ${r.address} ${r.code}`);
    }
    for (const e of k8s.poolErrors) out.push(`pool error ${e.key}: ${e.reason}`);
    for (const c of k8s.fabric?.conditions ?? [])
      out.push(
        `condition ${c.kind}/${c.name} Accepted=${c.accepted ? 'True' : 'False'} ${c.reason}${c.accepted ? '' : `: ${c.message}`}${c.warning !== undefined ? ` (warning: ${c.warning})` : ''}${c.usage !== undefined ? ` assigned ${c.usage.assigned} available ${c.usage.available}` : ''}`,
      );
    for (const w of k8s.fabric?.nodeWarnings ?? []) out.push(`node warning ${w.reason}: ${w.message}`);
  }
  if (d.nextWakeMs !== undefined) out.push(`wake at ${d.nextWakeMs}`);
  for (const e of told) out.push(e.startsWith('speaker: ') ? e : `event ${e}`);
  return `${out.join('\n')}\n`;
}

function lifecycleOf(words: readonly string[]): Lifecycle {
  const [kind, ...rest] = words;
  const reason = rest.join(' ') || 'scenario';
  switch (kind) {
    case 'running':
    case 'gracefulShutdown':
    case 'withdrawn':
      return { kind };
    case 'closed':
    case 'restart':
      return { kind, reason };
    default:
      throw new Error(`unknown lifecycle ${kind}`);
  }
}

async function runScenario(file: string): Promise<void> {
  const path = `${dir}${file}`;
  const archive = parseTxtar(readFileSync(path, 'utf8'));
  const settings = settingsOf(archive);
  const objects = new Map<string, KubeObject>();
  const keyOf = (kind: string, ns: string | undefined, name: string): string => `${kind}/${ns ?? ''}/${name}`;
  const list = <T>(kind: string): T[] =>
    [...objects.entries()].filter(([k]) => k.startsWith(`${kind}/`)).map(([, o]) => o as T);
  let leader = true;
  let nowMs = 0;
  let lifecycle: Lifecycle = { kind: 'running' };
  let memory: ClusterMemory = initialClusterMemory;
  const network = networkOf(archive);
  /** Checked once per object version, as the observer does (an apply replaces the object). */
  const converted = new WeakMap<object, FabricObject<unknown>>();
  let recording = false;

  const events = new RecordedEvents();
  const ip = new FakeIp();
  const routers = fakeRouterFactory();
  const status = new FakeStatusSink((key) => {
    const [ns, name] = key.split('/');
    return objects.get(keyOf('Service', ns, name ?? '')) as StatusHolder | undefined;
  }, events);
  const loop = new ReconcileLoop({
    sinks: [
      new LoopbackSink({ ip }),
      new BgpSink({ createRouter: routers.create }),
      status,
      // Conditions go straight into the scenario's objects (the watch would bring them back).
      new FabricConditionSink({
        lookup: (kind, name) => objects.get(keyOf(kind, undefined, name)) as FabricStatusObject | undefined,
        write: async (kind, name, body) => {
          objects.set(keyOf(kind, undefined, name), body as KubeObject);
        },
        events,
        report: () => {},
        now: () => new Date(0),
      }),
      new KubernetesEventSink({ events, report: () => {}, nodeName: settings.nodeName }),
    ],
    desired: () => world(),
    clock: new FakeClock(),
    intervalMs: 60_000,
    retryMinMs: 100,
    retryMaxMs: 1000,
  });

  const world = (): DesiredState => {
    const pools = objects.get(keyOf('ConfigMap', 'kube-system', 'anyvip-pools')) as
      | { data?: Record<string, string> }
      | undefined;
    const anyFabric = [...objects.keys()].some((k) => fabricKindsApplied.some((f) => k.startsWith(`${f}/`)));
    const fabricOf = <S>(kind: (typeof fabricKindsApplied)[number]): FabricObject<S>[] =>
      list<CustomObject>(kind).map((o) => {
        let c = converted.get(o);
        if (c === undefined) {
          c = fabricObjectOf(kind, { apiVersion: 'anyvip.io/v1alpha1', kind, ...o });
          converted.set(o, c);
        }
        return c as FabricObject<S>;
      });
    const secrets = new Map<string, FabricSecret>(
      list<{ metadata?: { name?: string; namespace?: string }; data?: Record<string, string> }>('Secret')
        .filter((x) => x.metadata?.namespace === 'kube-system')
        .map((x) => [x.metadata?.name ?? '', fabricSecretOf(x.metadata?.name ?? '', x)]),
    );
    const d = computeDesiredWorld({
      config,
      health: () => undefined,
      cluster: {
        snapshot: {
          services: list<ClusterService>('Service'),
          endpointSlices: list<ClusterEndpointSlice>('EndpointSlice'),
          nodes: list<ClusterNode>('Node'),
          poolsData: pools?.data,
          leader,
          ...(anyFabric || secrets.size > 0
            ? {
                fabric: {
                  peers: fabricOf('AnyvipPeer'),
                  advertisements: fabricOf('AnyvipAdvertisement'),
                  pools: fabricOf('AnyvipPool'),
                  secrets,
                  network,
                },
              }
            : {}),
        },
        settings,
        memory,
      },
      lifecycle,
      restarting: false,
      nowMs,
    });
    if (d.carry !== undefined) memory = d.carry;
    return d;
  };

  let last: DesiredState | undefined;
  let told: string[] = [];
  const pass = async (): Promise<PassReport> => {
    const d = world();
    last = d;
    const report = await loop.runPass(d, 'scenario');
    expect(report.errors, `${file}: sink errors`).toEqual([]);
    // The sinks converged on the desired world (a speaker that ended holds nothing any more;
    // after a planned restart the routers keep the routes as stale, RFC 4724): every route
    // some peer gets.
    const exported = new Set<string>();
    for (const r of d.bgp?.routesByPeer.values() ?? []) for (const p of r.keys()) exported.add(p);
    if ((d.bgp?.peers.size ?? 0) === 0) for (const p of d.bgp?.routes.keys() ?? []) exported.add(p);
    const routes = d.bgp?.end === undefined ? [...exported].sort() : [];
    expect(report.applied.get('bgp') ?? []).toEqual(routes);
    expect([...(report.applied.get('loopback') ?? [])].sort()).toEqual(
      [...d.loopback.addresses.keys()].sort(),
    );
    return report;
  };

  let updated = false;
  let sawFinal = false;
  for (const raw of archive.comment.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    sawFinal = false;
    const [cmd, ...args] = line.split(/\s+/);
    if (line === 'reconcile again: nothing changes') {
      const before = last === undefined ? '' : dump(last, []);
      const writes = status.writes.length;
      const report = await pass();
      expect(report.changes, `${file}: reconcile again`).toEqual([]);
      expect(events.take(), `${file}: nothing told again`).toEqual([]);
      expect(status.writes.length).toBe(writes);
      expect(last === undefined ? '' : dump(last, [])).toBe(before);
      sawFinal = true;
      continue;
    }
    switch (cmd) {
      case 'apply': {
        const data = archive.files.find((f) => f.name === args[0])?.data;
        if (data === undefined) throw new Error(`${file}: no file ${args[0]}`);
        for (const doc of parseAllDocuments(data)) {
          const o = doc.toJSON() as KubeObject | null;
          if (o === null) continue;
          objects.set(keyOf(o.kind ?? '', o.metadata?.namespace, o.metadata?.name ?? ''), o);
        }
        break;
      }
      case 'delete': {
        const [kind, ref] = args;
        const [a, b] = (ref ?? '').split('/');
        if (
          !objects.delete(b === undefined ? keyOf(kind ?? '', undefined, a ?? '') : keyOf(kind ?? '', a, b))
        )
          throw new Error(`${file}: nothing to delete at ${line}`);
        break;
      }
      case 'leader':
        leader = args[0] === 'true';
        break;
      case 'time':
        nowMs = Number(args[0]);
        break;
      case 'lifecycle':
        lifecycle = lifecycleOf(args);
        break;
      case 'reconcile':
        await pass();
        told = [...told, ...events.take()];
        if (recording)
          for (const r of routers.routers) {
            told = [...told, ...r.calls.map((c) => `speaker: ${c}`)];
            r.calls.splice(0);
          }
        break;
      case 'record':
        recording = true;
        for (const r of routers.routers) r.calls.splice(0);
        break;
      case 'cmp': {
        if (last === undefined) throw new Error(`${file}: cmp before reconcile`);
        const got = dump(last, told);
        told = [];
        const f = archive.files.find((x) => x.name === args[0]);
        if (update) {
          if (f === undefined) archive.files.push({ name: args[0] ?? '', data: got });
          else f.data = got;
          updated = true;
        } else {
          expect(f, `${file}: no expected file ${args[0]}`).toBeDefined();
          expect(got, `${file}: ${args[0]}`).toBe(f?.data);
        }
        break;
      }
      default:
        throw new Error(`${file}: unknown command ${line}`);
    }
  }
  expect(sawFinal, `${file} must end with "reconcile again: nothing changes"`).toBe(true);
  if (updated) writeFileSync(path, formatTxtar(archive));
}

const files = readdirSync(dir)
  .filter((f) => f.endsWith('.txtar'))
  .sort();

describe('Kubernetes mode scenarios (testdata/*.txtar)', () => {
  it('has scenario files', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
  });
  for (const f of files) {
    const title = parseTxtar(readFileSync(`${dir}${f}`, 'utf8'))
      .comment.split('\n')[0]
      ?.replace(/^#\s*/, '');
    it(`${f}: ${title}`, () => runScenario(f));
  }
});
