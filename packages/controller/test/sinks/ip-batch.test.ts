import { describe, expect, it } from 'vitest';
import { runIpBatch } from '../../src/sinks/ip-batch.js';
import type { IpResult, IpRunner } from '../../src/sinks/ip-runner.js';

function runner(
  result: IpResult,
): IpRunner & { seen: { args: readonly string[]; input?: string }[]; timeouts: (number | undefined)[] } {
  const seen: { args: readonly string[]; input?: string }[] = [];
  const timeouts: (number | undefined)[] = [];
  return {
    seen,
    timeouts,
    async run(args, input, options) {
      seen.push({ args, ...(input !== undefined ? { input } : {}) });
      timeouts.push(options?.timeoutMs);
      return result;
    },
  };
}

describe('runIpBatch', () => {
  it('sends every line to one `ip -force -batch -`', async () => {
    const r = runner({ code: 0, stdout: '', stderr: '' });
    expect((await runIpBatch(r, ['addr add a', 'addr add b'])).size).toBe(0);
    expect(r.seen).toEqual([{ args: ['-force', '-batch', '-'], input: 'addr add a\naddr add b\n' }]);
  });

  it('gives a long batch time in proportion to its lines (10,000 /32s took 19 s under load)', async () => {
    const r = runner({ code: 0, stdout: '', stderr: '' });
    await runIpBatch(
      r,
      Array.from({ length: 10_000 }, (_, i) => `addr add 10.250.${i >> 8}.${i & 255}/32 dev lo`),
    );
    expect(r.timeouts).toEqual([110_000]);
  });

  it('attributes each failure to its line from "Command failed -:N" (iproute2 6.1 output)', async () => {
    const stderr =
      'Error: ipv4: Address already assigned.\nCommand failed -:1\nError: ipv4: Address not found.\nCommand failed -:3\n';
    const failed = await runIpBatch(runner({ code: 1, stdout: '', stderr }), ['a', 'b', 'c']);
    expect([...failed]).toEqual([
      [0, 'Error: ipv4: Address already assigned.'],
      [2, 'Error: ipv4: Address not found.'],
    ]);
  });

  it('fails every line when ip itself could not run', async () => {
    const failed = await runIpBatch(runner({ code: -1, stdout: '', stderr: 'spawn ip ENOENT' }), ['a', 'b']);
    expect([...failed]).toEqual([
      [0, 'spawn ip ENOENT'],
      [1, 'spawn ip ENOENT'],
    ]);
  });

  it('runs nothing for no lines', async () => {
    const r = runner({ code: 0, stdout: '', stderr: '' });
    await runIpBatch(r, []);
    expect(r.seen).toEqual([]);
  });

  describe('parallel (independent lines)', () => {
    const lines = (n: number) =>
      Array.from({ length: n }, (_, i) => `addr add 10.250.${i >> 8}.${i & 255}/32 dev lo`);

    it('splits a long batch into contiguous parts run at once, every line in exactly one', async () => {
      let running = 0;
      let most = 0;
      const inputs: string[] = [];
      const r: IpRunner = {
        async run(_args, input) {
          running++;
          most = Math.max(most, running);
          inputs.push(input ?? '');
          await new Promise((resolve) => setTimeout(resolve, 5));
          running--;
          return { code: 0, stdout: '', stderr: '' };
        },
      };
      const all = lines(10_000);
      expect((await runIpBatch(r, all, { parallel: 2 })).size).toBe(0);
      expect(most).toBe(2);
      expect(inputs.join('')).toBe(`${all.join('\n')}\n`);
      expect(inputs.map((i) => i.split('\n').length - 1)).toEqual([5000, 5000]);
    });

    it('attributes a failure in a later part to its line in the whole batch', async () => {
      const r: IpRunner = {
        async run(_args, input) {
          // Each part fails its own second line.
          const first = (input ?? '').split('\n')[0];
          return { code: 1, stdout: '', stderr: `Error: ${first} next fails.\nCommand failed -:2\n` };
        },
      };
      const failed = await runIpBatch(r, lines(1024), { parallel: 2 });
      expect([...failed.keys()]).toEqual([1, 513]);
      expect(failed.get(513)).toBe('Error: addr add 10.250.2.0/32 dev lo next fails.');
    });

    it('keeps a short batch in one process', async () => {
      const r = runner({ code: 0, stdout: '', stderr: '' });
      await runIpBatch(r, lines(1000), { parallel: 2 });
      expect(r.seen).toHaveLength(1);
    });
  });
});
