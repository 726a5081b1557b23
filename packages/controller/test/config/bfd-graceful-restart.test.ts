import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/schema.js';
import { AnyvipError } from '../../src/errors.js';
import { takeRestartMark, writeRestartMark } from '../../src/restart-mark.js';
import { addPeerOptions } from '../../src/sinks/bgp.js';

function config(peer: Record<string, unknown>, bgp: Record<string, unknown> = {}) {
  return parseConfig({
    bgp: {
      asn: 65001,
      routerId: '10.250.0.11',
      peers: [{ address: '10.250.0.1', asn: 65000, ...peer }],
      ...bgp,
    },
    vips: [{ address: '10.250.255.1' }],
  });
}

function errorPath(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof AnyvipError) return `${err.code} ${err.message}`;
    throw err;
  }
  return undefined;
}

describe('peers[].bfd and peers[].gracefulRestart (RFC 5880, RFC 4724)', () => {
  it('are off when absent', () => {
    const p = config({}).bgp!.peers[0]!;
    expect(p.bfd).toBeUndefined();
    expect(p.gracefulRestart).toBeUndefined();
    expect(addPeerOptions(p)).not.toHaveProperty('bfd');
    expect(addPeerOptions(p)).not.toHaveProperty('gracefulRestart');
  });

  it('`true` gives the defaults: BFD 300 ms × 3, restart time 120 s, no N bit', () => {
    const p = config({ bfd: true, gracefulRestart: true }).bgp!.peers[0]!;
    expect(p.bfd).toEqual({ minTxMs: 300, minRxMs: 300, multiplier: 3, multihop: undefined });
    expect(p.gracefulRestart).toEqual({ restartTimeSec: 120, notification: false });
  });

  it('takes durations and maps to the speaker options, with the R bit when restarting', () => {
    const p = config({
      bfd: { minTx: '50ms', minRx: 100, multiplier: 4, multihop: true },
      gracefulRestart: { restartTime: '30s', notification: true },
    }).bgp!.peers[0]!;
    expect(addPeerOptions(p, true)).toMatchObject({
      bfd: { minTxMs: 50, minRxMs: 100, multiplier: 4, multihop: true },
      gracefulRestart: { restartTimeSec: 30, notification: true, restarting: true },
    });
  });

  it('refuses intervals below 10 ms, restart times above 4095 s and unknown keys, naming the path', () => {
    expect(errorPath(() => config({ bfd: { minTx: '5ms' } }))).toMatch(/bgp\.peers\[0\]\.bfd\.minTx/);
    expect(errorPath(() => config({ gracefulRestart: { restartTime: 5000 } }))).toMatch(
      /bgp\.peers\[0\]\.gracefulRestart\.restartTime/,
    );
    expect(errorPath(() => config({ bfd: { interval: 100 } }))).toMatch(/interval/);
  });
});

describe('the planned-restart mark (RFC 4724 §3 R bit)', () => {
  it('is taken once, and only while younger than the longest restart time', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'anyvip-gr-')), 'sub', 'mark');
    const c = config({ gracefulRestart: { restartTime: 30 } }, { restartStateFile: file });
    expect(takeRestartMark(c, 1000)).toBe(false);
    writeRestartMark(file, 1000);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ closedForRestartAtMs: 1000 });
    expect(takeRestartMark(c, 20_000)).toBe(true);
    expect(takeRestartMark(c, 20_000)).toBe(false);
    writeRestartMark(file, 1000);
    expect(takeRestartMark(c, 40_000)).toBe(false);
    writeFileSync(file, 'garbage');
    expect(takeRestartMark(c, 1000)).toBe(false);
  });
});
