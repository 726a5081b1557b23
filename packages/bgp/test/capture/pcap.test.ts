import { describe, expect, it } from 'vitest';
import { isPcap, readPcap } from '../../src/capture/pcap.js';
import { hex } from '../support/bytes.js';
import { pcapFile } from './frames.js';

const a = hex('0102030405');
const b = hex('aabb');

describe('readPcap (libpcap file format)', () => {
  it('reads little-endian microsecond records with their link type and time', () => {
    const file = pcapFile(
      [
        { timeSec: 1000, fraction: 250000, data: a },
        { timeSec: 1001, fraction: 1, data: b },
      ],
      { linkType: 113 },
    );
    expect(isPcap(file)).toBe(true);
    const recs = [...readPcap(file)];
    expect(recs).toEqual([
      { kind: 'frame', number: 1, timeSec: 1000.25, linkType: 113, data: a },
      { kind: 'frame', number: 2, timeSec: 1001.000001, linkType: 113, data: b },
    ]);
  });

  it('reads big-endian files and nanosecond resolution (magic 0xa1b23c4d)', () => {
    const file = pcapFile([{ timeSec: 7, fraction: 500_000_000, data: a }], { bigEndian: true, nanos: true });
    expect(hex('a1b23c4d')).toEqual(file.subarray(0, 4));
    const [rec] = [...readPcap(file)];
    expect(rec).toMatchObject({ kind: 'frame', timeSec: 7.5, linkType: 1, data: a });
  });

  it('reports a truncated last record as a fault and stops (a capture cut while written)', () => {
    const file = pcapFile([
      { timeSec: 1, fraction: 0, data: a },
      { timeSec: 2, fraction: 0, data: b },
    ]);
    const recs = [...readPcap(file.subarray(0, file.length - 1))];
    expect(recs.map((r) => r.kind)).toEqual(['frame', 'fault']);
    expect(recs[1]).toMatchObject({ offset: 24 + 16 + 5, reason: expect.stringContaining('truncated') });
  });

  it('reports a record header cut short and an impossible record length', () => {
    const file = pcapFile([{ timeSec: 1, fraction: 0, data: a }]);
    expect([...readPcap(file.subarray(0, 30))].map((r) => r.kind)).toEqual(['fault']);
    const bad = file.slice();
    bad.set(hex('ffffff7f'), 24 + 8);
    expect([...readPcap(bad)]).toEqual([
      { kind: 'fault', offset: 24, reason: expect.stringContaining('impossible') },
    ]);
  });

  it('refuses a file without a pcap magic number', () => {
    expect(isPcap(hex('0a0d0d0a'))).toBe(false);
    expect([...readPcap(hex('00000000'))]).toMatchObject([{ kind: 'fault', offset: 0 }]);
  });
});
