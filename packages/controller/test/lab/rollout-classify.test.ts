/**
 * How the rollout lab (lab/rollout.ts, `./run lab rollout`, rollout.interop.test.ts) counts a
 * client's failures, and how it reads `ip -ts monitor`'s stamps (lab/fib-monitor.ts): a flow
 * reset by the router's rehash is told apart only when it was established before a next-hop
 * change and reset after it; every other failure is a failed request.
 */
import { describe, expect, it } from 'vitest';
import { parseRouteLine, parseStamp } from '../../../../lab/fib-monitor.js';
import { type ClientFailure, classifyFailures } from '../../../../lab/rollout.js';

const change = { at: 1000, nextHops: ['10.250.1.2', '10.250.3.2'] };
const failure = (f: Partial<ClientFailure>): ClientFailure => ({
  code: 'ECONNRESET',
  established: true,
  openedAt: 999,
  failedAt: 1001,
  ...f,
});

describe('classifyFailures', () => {
  it('an established flow reset across a next-hop change is the rehash', () => {
    const f = failure({});
    expect(classifyFailures([f], [change])).toEqual({ failed: [], rehashed: [f] });
  });

  it('a reset with no change during the flow is a failed request', () => {
    const before = failure({ openedAt: 990, failedAt: 995 });
    const after = failure({ openedAt: 1001, failedAt: 1002 });
    expect(classifyFailures([before, after], [change]).failed).toEqual([before, after]);
  });

  it('a failed connect, a timeout or a reset before the handshake is a failed request, change or not', () => {
    const fs = [
      failure({ code: 'ETIMEDOUT' }),
      failure({ code: 'ECONNREFUSED', established: false }),
      failure({ established: false }),
      failure({ code: 'EHOSTUNREACH', established: false }),
    ];
    expect(classifyFailures(fs, [change])).toEqual({ failed: fs, rehashed: [] });
  });
});

describe('ip -ts monitor lines', () => {
  it('the stamp is local wall-clock time with microseconds; the rest is the route line', () => {
    const { wallMs, line } = parseStamp(
      '[2026-12-04T22:02:21.717383] 10.250.255.1 proto bird metric 32 \\    nexthop via 10.250.1.2 dev eth0 weight 1',
    );
    expect(wallMs).toBeCloseTo(new Date('2026-12-04T22:02:21').getTime() + 717.383, 3);
    expect(parseRouteLine(line, '10.250.255.1/32')).toEqual(['10.250.1.2']);
  });

  it('a line without a stamp is kept as it is', () => {
    expect(parseStamp('Deleted 10.250.255.1 proto bird')).toEqual({
      wallMs: undefined,
      line: 'Deleted 10.250.255.1 proto bird',
    });
  });
});
