/**
 * docs/configuration.md is checked against the code: every flag each command's `--help` lists
 * (what yargs defines) and every key the schema accepts (the key lists passed to `known()` in
 * src/config/) appears in it; so do the metrics the controller registers, the Kubernetes Event
 * reasons and refusal codes, and the Service annotations it reads, and its pools ConfigMap
 * example parses; every field of every anyvip.io kind (spec and status, from the CRD schemas)
 * has a row in its custom resources reference. Adding any of these without documenting it fails here.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';

const run = promisify(execFile);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const controller = here('../../');
let doc = '';
beforeAll(async () => {
  doc = await readFile(here('../../../../docs/configuration.md'), 'utf8');
});

/** Backticked spans of the doc, split at separators so `--a`, `--b` in one cell both count. */
function spans(): Set<string> {
  const out = new Set<string>();
  // Fenced blocks first: their ``` would pair the inline backticks wrongly.
  const prose = doc.replace(/```[\s\S]*?```/g, '');
  for (const m of prose.matchAll(/`([^`]+)`/g)) {
    const text = m[1] ?? '';
    for (const token of text.split(/[\s,/|=]+/)) out.add(token);
    for (const part of text.split(/[.[\]\s]+/)) out.add(part);
  }
  return out;
}

async function helpFlags(command: readonly string[]): Promise<string[]> {
  const { stdout } = await run(
    process.execPath,
    ['--import', '../bgp/scripts/ts-resolve.mjs', 'src/main.ts', ...command, '--help'],
    { cwd: controller, timeout: 30_000 },
  );
  return [...new Set(stdout.match(/--[a-z][a-z-]*/g) ?? [])].filter(
    (f) => f !== '--help' && f !== '--version',
  );
}

/** String literals of the key lists the schema checks with `known()`. */
async function schemaKeys(): Promise<string[]> {
  const dir = here('../../src/config/');
  const keys = new Set<string>();
  for (const file of await readdir(dir)) {
    if (!file.endsWith('.ts')) continue;
    const src = await readFile(`${dir}${file}`, 'utf8');
    const lists = [
      ...src.matchAll(/const \w+Keys = \[([^\]]*)\]/g),
      ...src.matchAll(/known\([^,]+,[^,]+,\s*\[([^\]]*)\]/g),
    ];
    for (const l of lists) for (const k of (l[1] ?? '').matchAll(/'([A-Za-z]+)'/g)) keys.add(k[1] ?? '');
  }
  return [...keys];
}

describe('docs/configuration.md', () => {
  it.each([['standalone'], ['validate'], ['run'], ['status'], ['doctor'], ['manifest', 'daemonset']])(
    'documents every flag of `anyvip %s`',
    async (...command) => {
      const flags = await helpFlags(command);
      expect(flags.length).toBeGreaterThan(0);
      const documented = spans();
      expect(flags.filter((f) => !documented.has(f) && !documented.has(f.replace(/^--no-/, '--')))).toEqual(
        [],
      );
    },
  );

  it('its example file is a valid configuration', () => {
    const yaml = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(yaml).toBeDefined();
    const config = parseConfigText(yaml ?? '', 'docs/configuration.md');
    expect(config.vips.map((v) => v.prefix)).toEqual(['10.250.255.1/32']);
  });

  it('documents every configuration key the schema accepts', async () => {
    const keys = await schemaKeys();
    expect(keys).toContain('keepWhenDown');
    const documented = spans();
    expect(keys.filter((k) => !documented.has(k))).toEqual([]);
  });
});

describe('docs/migrating-from-kube-vip.md', () => {
  it('names only flags that exist today (run, manifest, doctor, status)', async () => {
    const text = await readFile(here('../../../../docs/migrating-from-kube-vip.md'), 'utf8');
    const known = new Set<string>();
    for (const command of [['run'], ['manifest', 'daemonset'], ['doctor'], ['status']])
      for (const f of await helpFlags(command)) known.add(f);
    const named = [...new Set(text.match(/(?<![\w-])--[a-z][a-z-]*/g) ?? [])];
    expect(named.length).toBeGreaterThan(10);
    // `--type` belongs to kubectl (the patch commands).
    expect(named.filter((f) => !known.has(f) && f !== '--type')).toEqual([]);
  });
});

describe('docs/configuration.md: Kubernetes mode and metrics, against the code', () => {
  /** Whether the doc shows `text` as a backticked span (whole, separators included). */
  const shown = (text: string): boolean => doc.includes(`\`${text}\``);
  /** The lines of the doc's section under `heading`, up to the next heading of any level. */
  const section = (heading: string): string => {
    const start = doc.indexOf(`\n${heading}\n`);
    expect(start, heading).toBeGreaterThan(0);
    const rest = doc.slice(start + heading.length + 2);
    return rest.slice(0, rest.search(/\n#{2,3} /) === -1 ? undefined : rest.search(/\n#{2,3} /));
  };

  it('lists every metric the controller registers, and no other anyvip_ metric', async () => {
    const { ControllerMetrics } = await import('../../src/observability/metrics.js');
    const registered = (await new ControllerMetrics().registry.getMetricsAsJSON()).map((m) => m.name);
    expect(registered.length).toBeGreaterThan(20);
    expect(registered.filter((name) => !shown(name))).toEqual([]);
    const documented = [...new Set(section('## Metrics').match(/anyvip_[a-z_]+/g) ?? [])];
    expect(documented.filter((name) => !registered.includes(name))).toEqual([]);
  });

  it('lists every Event reason recorded, exactly, and every refusal code', async () => {
    const { EventReason } = await import('../../src/sinks/service-status.js');
    const rows = [...section('### Events').matchAll(/^\| `([A-Za-z]+)` \|/gm)].map((m) => m[1]);
    expect(rows.sort()).toEqual(Object.values(EventReason).sort());
    const ipam = await readFile(here('../../src/desired/ipam.ts'), 'utf8');
    const union = /export type RefusalCode =([^;]*);/.exec(ipam)?.[1] ?? '';
    const codes = [...union.matchAll(/'(ANYVIP_[A-Z_]+)'/g)].map((m) => m[1] ?? '');
    expect(codes.length).toBeGreaterThan(5);
    expect(codes.filter((c) => !shown(c))).toEqual([]);
  });

  it('lists every Service annotation read, and the node exclusion label', async () => {
    const { Annotation, excludeFromLoadBalancersLabel } = await import('../../src/desired/services.js');
    const rows = [...section('### Service annotations').matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
    expect(rows.sort()).toEqual(Object.values(Annotation).sort());
    expect(shown(excludeFromLoadBalancersLabel)).toBe(true);
  });

  it('its pools ConfigMap example parses into the pools it describes', async () => {
    const { parsePools } = await import('../../src/desired/ipam.js');
    const { parse } = await import('yaml');
    const yaml = /```yaml pools\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(yaml).toBeDefined();
    const { pools, errors } = parsePools((parse(yaml ?? '') as { data: Record<string, string> }).data);
    expect(errors).toEqual([]);
    expect(pools.map((p) => [p.name, p.ranges.length, p.namespaces])).toEqual([
      ['global', 2, undefined],
      ['team-a', 2, ['team-a', 'team-b']],
    ]);
  });
});

describe('docs/configuration.md: the anyvip.io custom resources', () => {
  type Node = {
    type?: string;
    properties?: Record<string, Node>;
    items?: Node;
    additionalProperties?: Node;
  };
  const isSelector = (n: Node) => Object.keys(n.properties ?? {}).join() === 'matchLabels,matchExpressions';
  const isConditions = (n: Node) => n.items?.properties?.lastTransitionTime !== undefined;

  /** `spec.bfd.minTxMs`, `status.sessions[].state`: every field path, selectors and conditions as leaves. */
  function fieldPaths(n: Node, at: string): string[] {
    const out: string[] = [];
    for (const [k, v] of Object.entries(n.properties ?? {})) {
      const path = at === '' ? k : `${at}.${k}`;
      out.push(path);
      if (isSelector(v) || isConditions(v)) continue;
      if (v.properties !== undefined) out.push(...fieldPaths(v, path));
      if (v.items?.properties !== undefined) out.push(...fieldPaths(v.items, `${path}[]`));
    }
    return out;
  }

  /** The doc from `## Custom resources` up to the next `## ` heading. */
  const reference = (): string => {
    const start = doc.indexOf('\n## Custom resources (anyvip.io/v1alpha1)\n');
    expect(start).toBeGreaterThan(0);
    const rest = doc.slice(start + 1);
    const end = rest.indexOf('\n## ', 3);
    return end === -1 ? rest : rest.slice(0, end);
  };

  it('has a row for every spec and status field of every kind, under the kind', async () => {
    const { anyvipKinds, toStructural } = await import('../../src/kubernetes/crds/index.js');
    const text = reference();
    for (const kind of anyvipKinds) {
      const schema = toStructural(kind.schema) as Node;
      const paths = fieldPaths(
        { properties: { spec: schema.properties?.spec ?? {}, status: schema.properties?.status ?? {} } },
        '',
      );
      expect(paths.length, kind.kind).toBeGreaterThan(2);
      const start = text.indexOf(`\n### ${kind.kind}\n`);
      expect(start, kind.kind).toBeGreaterThan(0);
      const after = text.slice(start + 1);
      const next = after.indexOf('\n### ');
      const own = next === -1 ? after : after.slice(0, next);
      expect(
        paths.filter((p) => !own.includes(`| \`${p}\` |`)),
        kind.kind,
      ).toEqual([]);
    }
  });

  it('documents the shared LabelSelector and Condition fields, and every check reason', async () => {
    const text = reference();
    for (const f of [
      'matchLabels',
      'matchExpressions[].key',
      'matchExpressions[].operator',
      'matchExpressions[].values',
    ])
      expect(text).toContain(`| \`${f}\` |`);
    const { ConditionSchema } = await import('../../src/kubernetes/crds/index.js');
    for (const f of Object.keys(ConditionSchema.properties))
      expect(text).toContain(`| \`conditions[].${f}\` |`);
    const problem = await readFile(here('../../src/kubernetes/crds/problem.ts'), 'utf8');
    const reasons = [
      ...(/export type ProblemReason =([^;]*);/.exec(problem)?.[1] ?? '').matchAll(/'([A-Za-z]+)'/g),
    ].map((m) => m[1] ?? '');
    expect(reasons.length).toBeGreaterThan(5);
    expect(reasons.filter((r) => !text.includes(`| \`${r}\` |`))).toEqual([]);
  });
});

describe('docs/migrating-from-metallb.md', () => {
  it("its anyvip objects are accepted by the kinds' checks, and it covers the three MetalLB kinds", async () => {
    const text = await readFile(here('../../../../docs/migrating-from-metallb.md'), 'utf8');
    const { parse } = await import('yaml');
    const { checkAnyvipAdvertisement, checkAnyvipPeer, checkAnyvipPool } = await import(
      '../../src/kubernetes/crds/index.js'
    );
    const check: Record<string, (o: unknown) => { ok: boolean }> = {
      AnyvipPeer: checkAnyvipPeer,
      AnyvipAdvertisement: checkAnyvipAdvertisement,
      AnyvipPool: checkAnyvipPool,
    };
    const objects = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map(
      (m) => parse(m[1] ?? '') as { kind: string },
    );
    const ours = objects.filter((o) => o.kind.startsWith('Anyvip'));
    expect(ours.map((o) => o.kind).sort()).toEqual(['AnyvipAdvertisement', 'AnyvipPeer', 'AnyvipPool']);
    for (const o of ours) expect(check[o.kind]?.(o), o.kind).toMatchObject({ ok: true });
    expect(
      objects
        .filter((o) => !o.kind.startsWith('Anyvip'))
        .map((o) => o.kind)
        .sort(),
    ).toEqual(['BGPAdvertisement', 'BGPPeer', 'IPAddressPool']);
  });
});
