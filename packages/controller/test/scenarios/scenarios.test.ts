import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FakeClock } from '@anyvip/healthcheck';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseRange } from '../../src/address/ip-range.js';
import { parseConfig } from '../../src/config/schema.js';
import type { ClusterEndpointSlice, ClusterNode, ClusterService } from '../../src/desired/cluster.js';
import { computeDesiredWorld } from '../../src/desired/compute.js';
import type { Lifecycle } from '../../src/desired/lifecycle.js';
import {
  type ClusterMemory,
  type ClusterSettings,
  initialClusterMemory,
} from '../../src/desired/observation.js';
import type { DesiredState } from '../../src/desired/types.js';
import { type PassReport, ReconcileLoop } from '../../src/reconcile/loop.js';
import { BgpSink } from '../../src/sinks/bgp.js';
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

/** The desired world as text: what each sink should hold, one fact per line, sorted within a kind. */
function dump(d: DesiredState, told: readonly string[]): string {
  const out: string[] = [`lifecycle ${d.lifecycle.kind}`];
  if (d.bgp !== undefined) {
    for (const p of d.bgp.peers.values()) out.push(`peer ${p.address} as ${p.asn}`);
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
  for (const k of [...d.loopback.addresses.keys()].sort()) out.push(`lo ${k}`);
  const k8s = d.kubernetes;
  if (k8s !== undefined) {
    for (const [key, s] of [...k8s.services].sort(([a], [b]) => a.localeCompare(b))) {
      if (s.ingress !== undefined) out.push(`status ${key} [${s.ingress.join(', ')}]`);
      if (s.announcedHere.length > 0) out.push(`here ${key} ${s.announcedHere.join(' ')}`);
      for (const r of s.refused) out.push(`refused ${key} ${r.address} ${r.code}`);
    }
    for (const e of k8s.poolErrors) out.push(`pool error ${e.key}: ${e.reason}`);
  }
  if (d.nextWakeMs !== undefined) out.push(`wake at ${d.nextWakeMs}`);
  for (const e of told) out.push(`event ${e}`);
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
    // after a planned restart the routers keep the routes as stale, RFC 4724).
    const routes = d.bgp?.end === undefined ? [...(d.bgp?.routes.keys() ?? [])].sort() : [];
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
