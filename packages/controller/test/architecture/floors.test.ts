import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cyclesOf, floorGraph, floorOf, readTree, type SourceFile } from './import-graph.js';

/**
 * The floors ARCHITECTURE.md states, enforced: imports point down only, the pure floors never
 * touch sockets, timers, clocks or the logger, and the controller's folders form no cycle.
 * A failure names the file and the import that broke the rule.
 */

const packages = fileURLToPath(new URL('../../../', import.meta.url));
const bgp = readTree(`${packages}bgp/src`);
const bgpCli = readTree(`${packages}bgp-cli/src`);
const healthcheck = readTree(`${packages}healthcheck/src`);
const controller = readTree(`${packages}controller/src`);

/** Files under `folder/` (the folder's own tree). */
function under(files: readonly SourceFile[], folder: string): SourceFile[] {
  return files.filter((f) => f.path.startsWith(`${folder}/`));
}

/** `file → import` for every local import that leaves the allowed folders. */
function localEscapes(files: readonly SourceFile[], allowed: readonly string[]): string[] {
  return files.flatMap((f) =>
    f.local
      .filter((t) => !allowed.some((a) => t === a || t.startsWith(`${a}/`)))
      .map((t) => `${f.path} → ${t}`),
  );
}

/** `file → specifier` for every package or builtin import. */
function externals(files: readonly SourceFile[], allow: (spec: string) => boolean = () => false): string[] {
  return files.flatMap((f) => f.external.filter((s) => !allow(s)).map((s) => `${f.path} → ${s}`));
}

/** Sockets, timers and the clock as modules. */
const IO_MODULES =
  /^(node:)?(net|dgram|tls|http|https|fs|fs\/promises|child_process|timers|timers\/promises)$/;

/** `file → what` for I/O modules, ambient timers/clocks/console and logger imports. */
function impurities(files: readonly SourceFile[]): string[] {
  return files.flatMap((f) => [
    ...f.external.filter((s) => IO_MODULES.test(s) || s === 'winston').map((s) => `${f.path} → ${s}`),
    ...f.local.filter((t) => /(^|\/)log(ger)?\.ts$/.test(t)).map((t) => `${f.path} → ${t}`),
    ...f.ambient.map((a) => `${f.path}: ${a}`),
  ]);
}

describe('@anyvip/bgp floors: wire · fsm (wire) · rib (wire) · events · session · speaker · cli', () => {
  it('wire imports nothing but wire, and no package at all', () => {
    const wire = under(bgp, 'wire');
    expect(wire.length).toBeGreaterThan(10);
    expect(localEscapes(wire, ['wire'])).toEqual([]);
    expect(externals(wire)).toEqual([]);
  });

  it('fsm imports only wire (and itself), and no package', () => {
    const fsm = under(bgp, 'fsm');
    expect(fsm.length).toBeGreaterThan(3);
    expect(localEscapes(fsm, ['wire', 'fsm'])).toEqual([]);
    expect(externals(fsm)).toEqual([]);
  });

  it('rib imports only wire (and itself), and no package', () => {
    const rib = under(bgp, 'rib');
    expect(rib.length).toBeGreaterThan(3);
    expect(localEscapes(rib, ['wire', 'rib'])).toEqual([]);
    expect(externals(rib)).toEqual([]);
  });

  it('events/ holds types only: it imports wire, fsm and rib, and no package', () => {
    const events = under(bgp, 'events');
    expect(events.length).toBeGreaterThan(0);
    expect(localEscapes(events, ['wire', 'fsm', 'rib', 'events'])).toEqual([]);
    expect(externals(events)).toEqual([]);
  });

  it('session/ never reaches up to the speaker or the CLI', () => {
    expect(
      under(bgp, 'session').flatMap((f) =>
        f.local
          .filter((t) => /^(speaker|peer-config|event-log|cli)\b/.test(t))
          .map((t) => `${f.path} → ${t}`),
      ),
    ).toEqual([]);
  });

  it('BFD repeats the split: bfd/wire imports only wire folders, bfd/fsm adds bfd/wire', () => {
    expect(localEscapes(under(bgp, 'bfd/wire'), ['bfd/wire', 'wire'])).toEqual([]);
    expect(localEscapes(under(bgp, 'bfd/fsm'), ['bfd/wire', 'bfd/fsm', 'wire', 'fsm'])).toEqual([]);
  });

  it('nothing below session touches node:net, node:dgram, timers, Date.now or the logger', () => {
    const below = ['wire', 'fsm', 'rib', 'events', 'bfd/wire', 'bfd/fsm'].flatMap((d) => under(bgp, d));
    expect(impurities(below)).toEqual([]);
    expect(externals(below)).toEqual([]);
  });

  it('no floor imports one above it: wire, fsm and rib never reach session, speaker or cli', () => {
    const low = ['wire', 'fsm', 'rib', 'events'].flatMap((d) => under(bgp, d));
    expect(
      low.flatMap((f) => f.local.filter((t) => /^(session|speaker|cli|bfd\/session)\b/.test(t))),
    ).toEqual([]);
  });

  it('decode/ reads inputs as JSON over wire, mrt and capture only: no session, no package (bzip2 comes from the caller)', () => {
    const decode = under(bgp, 'decode');
    expect(decode.length).toBeGreaterThan(3);
    expect(localEscapes(decode, ['decode', 'wire', 'mrt', 'capture'])).toEqual([]);
    expect(externals(decode, (s) => s === 'node:zlib')).toEqual([]);
  });

  it('the anyvip-bgp CLI (@anyvip/bgp-cli) uses the library through its public entry points only', () => {
    expect(bgpCli.length).toBeGreaterThan(1);
    const allowed = new Set(['@anyvip/bgp', '@anyvip/bgp/decode', 'yargs', 'yargs/helpers', 'seek-bzip']);
    expect(externals(bgpCli, (s) => allowed.has(s) || s.startsWith('node:'))).toEqual([]);
    // Never a relative path out of its own tree (into packages/bgp/src).
    expect(
      bgpCli.flatMap((f) => f.local.filter((t) => t.startsWith('..')).map((t) => `${f.path} → ${t}`)),
    ).toEqual([]);
  });
});

describe('@anyvip/healthcheck floors', () => {
  it('rise-fall.ts is a pure counter: no I/O, no timers, no clock', () => {
    const riseFall = healthcheck.filter((f) => f.path === 'rise-fall.ts');
    expect(riseFall).toHaveLength(1);
    expect(impurities(riseFall)).toEqual([]);
  });
});

describe('@anyvip/controller floors: observe → desired (pure) → reconcile → sinks', () => {
  it('desired/ is pure: no I/O module, no Kubernetes client, no timers or clock, no logger', () => {
    const desired = under(controller, 'desired');
    expect(desired.length).toBeGreaterThan(5);
    expect(impurities(desired)).toEqual([]);
    // Types from @anyvip/healthcheck and the codec's address helpers only: no client, no speaker.
    expect(externals(desired, (s) => s === '@anyvip/bgp/wire' || s === '@anyvip/healthcheck')).toEqual([]);
  });

  it('desired/ reads only config, address, the anyvip.io kinds and its own files (never observers, sinks or the loop)', () => {
    // kubernetes/crds holds the anyvip.io kinds' schemas and types: pure data, no client.
    expect(
      localEscapes(under(controller, 'desired'), [
        'desired',
        'config',
        'address',
        'errors.ts',
        // One pure formatter (the text toISOString gives, without the time zone it loads).
        'iso-timestamp.ts',
        'kubernetes/crds',
      ]),
    ).toEqual([]);
  });

  it('address/ (the one allowed-range model) depends on nothing in the controller', () => {
    expect(localEscapes(under(controller, 'address'), ['address'])).toEqual([]);
  });

  it('reconcile/ knows the desired world and the Sink contract, never a concrete sink or observer', () => {
    expect(localEscapes(under(controller, 'reconcile'), ['reconcile', 'desired', 'errors.ts'])).toEqual([]);
  });

  it('observers never write: observe/ imports no sink, no Sink contract and not the loop', () => {
    const observe = under(controller, 'observe');
    expect(observe.length).toBeGreaterThan(3);
    const writers = /^(sinks\/|reconcile\/(loop|sink)\.ts$|app\.ts$)/;
    expect(
      observe.flatMap((f) => f.local.filter((t) => writers.test(t)).map((t) => `${f.path} → ${t}`)),
    ).toEqual([]);
  });

  it('config/ parses on its own: it imports only address/ and errors.ts', () => {
    expect(localEscapes(under(controller, 'config'), ['config', 'address', 'errors.ts'])).toEqual([]);
  });

  it('sinks never read observers: what they need of the world arrives in the desired state', () => {
    expect(
      under(controller, 'sinks').flatMap((f) => f.local.filter((t) => t.startsWith('observe/'))),
    ).toEqual([]);
  });

  it('no import cycle between the controller folders (root files count as their own floor)', () => {
    expect(cyclesOf(floorGraph(controller))).toEqual([]);
  });

  it('main.ts only wires the command line: it imports commands (cli/, */command.ts), nothing that runs', () => {
    const main = controller.find((f) => f.path === 'main.ts');
    expect(main).toBeDefined();
    const command = (t: string): boolean =>
      floorOf(t) === 'cli' || /^[a-z-]+\/command\.ts$/.test(t) || t === 'errors.ts';
    expect(main?.local.filter((t) => !command(t))).toEqual([]);
  });
});

describe('the floors checker itself', () => {
  it('finds a cycle through three folders and ignores a folder importing itself', () => {
    const g = new Map([
      ['a', new Set(['a', 'b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a'])],
    ]);
    expect(cyclesOf(g)).toEqual([['a', 'b', 'c']]);
    expect(cyclesOf(new Map([['a', new Set(['a'])]]))).toEqual([]);
  });

  it('sees through comments and strings: only real imports and calls count', () => {
    const files = readTree(fileURLToPath(new URL('./', import.meta.url)));
    const self = files.find((f) => f.path === 'floors.test.ts');
    // This file mentions Date.now and setTimeout only in strings and comments.
    expect(self?.ambient).toEqual([]);
  });
});
