import { describe, expect, it } from 'vitest';
import { runIpBatch } from '../../src/sinks/ip-batch.js';
import type { IpResult, IpRunner } from '../../src/sinks/ip-runner.js';

function runner(result: IpResult): IpRunner & { seen: { args: readonly string[]; input?: string }[] } {
  const seen: { args: readonly string[]; input?: string }[] = [];
  return {
    seen,
    async run(args, input) {
      seen.push({ args, ...(input !== undefined ? { input } : {}) });
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
});
