import { describe, expect, it } from 'vitest';
import { isPcapng, readPcapng } from '../../src/capture/pcapng.js';
import { concat, hex } from '../support/bytes.js';
import { pcapngBlock, pcapngFile } from './frames.js';

const a = hex('0102030405');
const b = hex('aabbcc');

describe('readPcapng (pcapng: SHB, IDB, EPB, SPB)', () => {
  it('reads Enhanced Packet Blocks with the interface link type and microsecond default resolution', () => {
    const file = pcapngFile(
      [
        { timeSec: 1700000000, fraction: 123456, data: a },
        { timeSec: 1700000001, fraction: 0, data: b },
      ],
      { linkType: 276 },
    );
    expect(isPcapng(file)).toBe(true);
    const recs = [...readPcapng(file)];
    expect(recs).toHaveLength(2);
    expect(recs[0]).toMatchObject({ kind: 'frame', number: 1, linkType: 276, data: a });
    expect((recs[0] as { timeSec: number }).timeSec).toBeCloseTo(1700000000.123456, 6);
    expect(recs[1]).toMatchObject({ kind: 'frame', number: 2, data: b });
  });

  it('reads big-endian sections and honours if_tsresol (10^-9)', () => {
    const file = pcapngFile([{ timeSec: 5, fraction: 250_000_000, data: a }], {
      bigEndian: true,
      tsresol: 9,
    });
    const [rec] = [...readPcapng(file)];
    expect(rec).toMatchObject({ kind: 'frame', data: a });
    expect((rec as { timeSec: number }).timeSec).toBeCloseTo(5.25, 9);
  });

  it('reads Simple Packet Blocks (interface 0, no timestamp)', () => {
    const file = pcapngFile([{ timeSec: 0, fraction: 0, data: b }], { simple: true, linkType: 101 });
    expect([...readPcapng(file)]).toEqual([{ kind: 'frame', number: 1, timeSec: 0, linkType: 101, data: b }]);
  });

  it('skips block types it does not need (name resolution, statistics, custom)', () => {
    const base = pcapngFile([{ timeSec: 1, fraction: 0, data: a }]);
    const nrb = pcapngBlock(4, hex('0000 0000'));
    const isb = pcapngBlock(5, hex('00000000 00000000 00000000'));
    // Insert the extra blocks after SHB (28 octets) and IDB (20 octets).
    const file = concat(base.subarray(0, 48), nrb, isb, base.subarray(48));
    expect([...readPcapng(file)].map((r) => r.kind)).toEqual(['frame']);
  });

  it('reports a block whose length runs past the file as a fault and stops', () => {
    const file = pcapngFile([
      { timeSec: 1, fraction: 0, data: a },
      { timeSec: 2, fraction: 0, data: b },
    ]);
    const recs = [...readPcapng(file.subarray(0, file.length - 4))];
    expect(recs.map((r) => r.kind)).toEqual(['frame', 'fault']);
  });

  it('reports a packet on an interface that was never described', () => {
    const file = pcapngFile([{ timeSec: 1, fraction: 0, data: a }]);
    const bad = file.slice();
    bad.set(hex('05000000'), 48 + 8); // EPB interface id 5
    expect([...readPcapng(bad)]).toMatchObject([
      { kind: 'fault', reason: expect.stringContaining('interface 5') },
    ]);
  });

  it('refuses a section header with a bad byte-order magic', () => {
    const file = pcapngFile([]);
    const bad = file.slice();
    bad.set(hex('01020304'), 8);
    expect([...readPcapng(bad)]).toMatchObject([{ kind: 'fault', offset: 0 }]);
  });
});
