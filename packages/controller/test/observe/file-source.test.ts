import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AnyvipRuntime } from '../../src/app.js';
import type { ControllerEvent } from '../../src/events.js';
import { silentLogger } from '../../src/observability/log.js';
import { FileSource, type FileSourceEvent } from '../../src/observe/file-source.js';
import { FakeIp } from '../support/fake-ip.js';
import { fakeRouterFactory } from '../support/fake-router.js';

const dir = mkdtempSync(join(tmpdir(), 'anyvip-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in for `process` that delivers SIGHUP when told. */
class Signals extends EventEmitter {
  hup(): void {
    this.emit('SIGHUP');
  }
}

function nextEvent(source: FileSource, signals: Signals): Promise<FileSourceEvent> {
  return new Promise((resolve) => {
    const stop = source.watch((e) => {
      stop();
      resolve(e);
    });
    signals.hup();
  });
}

describe('FileSource', () => {
  it('re-reads the file on SIGHUP and yields the validated configuration', async () => {
    const file = join(dir, 'a.yaml');
    writeFileSync(file, 'mode: table\nvips: [10.250.255.1]\n');
    const signals = new Signals();
    const source = new FileSource(file, { signals });
    expect((await source.read()).vips).toHaveLength(1);
    writeFileSync(file, 'mode: table\nvips: [10.250.255.1, 10.250.255.2]\n');
    const e = await nextEvent(source, signals);
    expect(e.kind === 'config' && e.config.vips.length).toBe(2);
    expect(signals.listenerCount('SIGHUP')).toBe(0);
  });

  it('yields an error, not a configuration, for a bad file', async () => {
    const file = join(dir, 'b.yaml');
    writeFileSync(file, 'mode: table\nvips: [10.250.255.300]\n');
    const signals = new Signals();
    const e = await nextEvent(new FileSource(file, { signals }), signals);
    expect(e.kind).toBe('error');
    expect(e.kind === 'error' && e.error.message).toMatch(
      /^vips\[0\]\.address: must be an IPv4 or IPv6 address/,
    );
  });

  it('serialises reads: SIGHUPs during a read cause exactly one more read', async () => {
    let reads = 0;
    let release: () => void = () => {};
    const signals = new Signals();
    const source = new FileSource('x.yaml', {
      signals,
      load: async () => {
        reads++;
        if (reads === 1) await new Promise<void>((r) => (release = r));
        throw new Error('unreadable');
      },
    });
    const seen: FileSourceEvent[] = [];
    source.watch((e) => seen.push(e));
    signals.hup();
    signals.hup();
    signals.hup();
    await new Promise((r) => setImmediate(r));
    release();
    await new Promise((r) => setTimeout(r, 10));
    expect(reads).toBe(2);
    expect(seen).toHaveLength(2);
  });
});

describe('standalone reload through the file source', () => {
  it('refuses a bad new file with a configRejected event and keeps the old configuration running', async () => {
    const file = join(dir, 'c.yaml');
    const good =
      'bgp: { asn: 65001, routerId: 10.250.0.11, peers: [{ address: 10.250.0.1, asn: 65000 }] }\nvips: [10.250.255.1]\n';
    writeFileSync(file, good);
    const signals = new Signals();
    const source = new FileSource(file, { signals });
    const routers = fakeRouterFactory();
    const runtime = new AnyvipRuntime(await source.read(), {
      ip: new FakeIp(),
      createRouter: routers.create,
      logger: silentLogger(),
      source: file,
    });
    const events: ControllerEvent[] = [];
    runtime.on((e) => events.push(e));
    await runtime.start();
    try {
      writeFileSync(file, `${good}bgp_typo: 1\n`);
      const e = await nextEvent(source, signals);
      expect(e.kind).toBe('error');
      if (e.kind === 'error') runtime.refuse(e.error, file);
      expect(events.at(-1)).toEqual({
        kind: 'configRejected',
        source: file,
        code: 'ANYVIP_CONFIG_INVALID',
        // The key list grows with the schema; the start is what matters here.
        reason: expect.stringMatching(/^bgp_typo: unknown field \(expected one of: mode, bgp, table, /),
      });
      expect([...(routers.routers[0]?.routes.keys() ?? [])]).toEqual(['10.250.255.1/32']);
      expect(runtime.config.vips.map((v) => v.prefix)).toEqual(['10.250.255.1/32']);
      const text = await runtime.metrics.registry.metrics();
      expect(text).toContain('anyvip_config_reloads_total{result="refused"} 1');
    } finally {
      await runtime.stop();
    }
  });
});
