import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeJsonLines } from '../src/main.js';
import { cli, lines, repo } from './support/cli.js';

describe('anyvip-bgp decode (the command line)', () => {
  it('decodes the BIRD–GoBGP example capture to JSON Lines', () => {
    const out = lines(cli(['decode', resolve(repo, 'examples/captures/bird-gobgp.pcapng')]));
    const types = new Set(out.map((o) => o.type));
    expect(types).toEqual(new Set(['OPEN', 'KEEPALIVE', 'UPDATE', 'NOTIFICATION']));
    const announced = out.flatMap((o) => {
      const a = o.attributes as { mpReach?: { nlri?: string[] } } | undefined;
      return [...((o.nlri as string[] | undefined) ?? []), ...(a?.mpReach?.nlri ?? [])];
    });
    expect(announced.sort()).toEqual(
      [
        '10.250.100.0/24',
        '10.250.101.0/24',
        '10.250.200.0/24',
        '10.250.201.0/24',
        'fd00:250::100:0/112',
        'fd00:250::101:0/112',
        'fd00:250::200:0/112',
      ].sort(),
    );
    expect(out.find((o) => o.type === 'NOTIFICATION')).toMatchObject({
      codeName: 'CEASE',
      subcodeName: 'ADMINISTRATIVE_SHUTDOWN',
      shutdownMessage: 'anyvip capture demo over',
    });
  });

  it('reads hex from standard input with --format hex', () => {
    const out = lines(cli(['decode', '-', '--format', 'hex'], `${'ff'.repeat(16)} 0013 04\n`));
    expect(out).toEqual([{ type: 'KEEPALIVE', offset: 0 }]);
  });

  it('decompresses bzip2 input (seek-bzip; the library has no decoder of its own)', () => {
    const bz2 = Buffer.from(
      '425a6839314159265359df08ae98000003e000c40408000000a00030cd00c345311ee2ee48a70a121be115d300',
      'hex',
    );
    expect(lines(cli(['decode', '-'], bz2))).toEqual([{ type: 'KEEPALIVE', offset: 0 }]);
  });

  it('refuses an unknown subcommand or option', () => {
    expect(() => cli(['frobnicate'])).toThrow();
    expect(() => cli(['decode', '--format', 'jpeg'])).toThrow();
  });
});

describe('writeJsonLines', () => {
  it('writes one JSON object per line and waits for drain when the sink is full', async () => {
    const chunks: string[] = [];
    let drains = 0;
    const sink = {
      write(chunk: string) {
        chunks.push(chunk);
        return false;
      },
      once(_event: 'drain', listener: () => void) {
        drains++;
        listener();
      },
    };
    const records = Array.from({ length: 3000 }, (_, i) => ({ type: 'KEEPALIVE', offset: i * 19 }));
    expect(await writeJsonLines(records, sink)).toBe(3000);
    const text = chunks.join('');
    expect(text.split('\n')).toHaveLength(3001);
    expect(JSON.parse(text.split('\n')[2]!)).toEqual({ type: 'KEEPALIVE', offset: 38 });
    expect(drains).toBeGreaterThan(0);
  });
});
