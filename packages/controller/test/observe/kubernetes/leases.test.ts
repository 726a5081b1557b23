import { systemClock } from '@anyvip/healthcheck';
import { afterEach, describe, expect, it } from 'vitest';
import { createKubeClients } from '../../../src/kubernetes/client.js';
import {
  decideLease,
  LeaderElector,
  type LeaderEvent,
  leaseNameFor,
} from '../../../src/observe/kubernetes/leases.js';
import { TestApiServer } from '../../support/api-server.js';
import { writeKubeconfig } from '../../support/kubeconfig.js';

async function until(what: string, ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!ok()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('decideLease (client-go leaderelection semantics)', () => {
  const held = { holder: 'node2', durationSec: 15, recordKey: 'k' };
  it('no lease → create; ours → renew; empty holder → take over at once', () => {
    expect(decideLease(undefined, 'node1', 0)).toEqual({ kind: 'create' });
    expect(decideLease({ ...held, holder: 'node1' }, 'node1', 0)).toEqual({ kind: 'renew' });
    expect(decideLease({ ...held, holder: undefined }, 'node1', 0)).toEqual({
      kind: 'takeOver',
      from: undefined,
    });
  });
  it('another holder: follow until the record has been unchanged for the lease duration, then take over', () => {
    expect(decideLease(held, 'node1', 15_000)).toEqual({ kind: 'follow', holder: 'node2' });
    expect(decideLease(held, 'node1', 15_001)).toEqual({ kind: 'takeOver', from: 'node2' });
  });
});

describe('leaseNameFor: one lease per loadBalancerClass', () => {
  it('derives distinct DNS-label names, hashed when the class had to be cleaned', () => {
    expect(leaseNameFor(undefined)).toBe('anyvip');
    expect(leaseNameFor('blue')).toBe('anyvip-blue');
    const a = leaseNameFor('example.com/blue');
    const b = leaseNameFor('example-com-blue');
    expect(a).toMatch(/^anyvip-example-com-blue-[0-9a-f]{8}$/);
    expect(b).toBe('anyvip-example-com-blue');
    expect(a).not.toBe(b);
    expect(leaseNameFor(`x${'y'.repeat(100)}`).length).toBeLessThanOrEqual(63);
  });
});

describe('LeaderElector against the test API server (real client-node)', () => {
  let server: TestApiServer | undefined;
  const electors: LeaderElector[] = [];

  afterEach(async () => {
    await Promise.all(electors.splice(0).map((e) => e.stop()));
    await server?.close();
  });

  async function candidates(n: number, events: LeaderEvent[]): Promise<LeaderElector[]> {
    const s = await TestApiServer.start();
    server = s;
    const clients = createKubeClients({ kind: 'file', path: writeKubeconfig(s.url) });
    for (let i = 1; i <= n; i++) {
      electors.push(
        new LeaderElector({
          api: clients.coordination,
          namespace: 'kube-system',
          name: 'anyvip',
          identity: `node${i}`,
          clock: systemClock,
          onEvent: (e) => events.push(e),
          leaseDurationSec: 1,
          renewDeadlineMs: 600,
          retryPeriodMs: 100,
        }),
      );
    }
    return electors;
  }

  it('racing candidates: exactly one wins, the loser gets 409 and follows', async () => {
    const events: LeaderEvent[] = [];
    const cs = await candidates(3, events);
    for (const c of cs) c.start();
    await until('a leader', () => cs.some((c) => c.leader));
    await new Promise((r) => setTimeout(r, 400));
    expect(cs.filter((c) => c.leader)).toHaveLength(1);
    const s = server as TestApiServer;
    const creates = s.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/leases'));
    // Exactly one create wins (201); a candidate that also saw no lease gets 409 AlreadyExists
    // and follows. How many race depends on when each one's read is answered (a candidate whose
    // read comes after the winner's create just follows the lease), but at least one does here.
    const statuses = creates.map((r) => r.status).sort();
    expect(statuses.filter((st) => st === 201)).toEqual([201]);
    expect(statuses.filter((st) => st !== 201).every((st) => st === 409)).toBe(true);
    expect(statuses.length).toBeGreaterThanOrEqual(2);
    expect(events.filter((e) => e.kind === 'leaseError')).toEqual([]);
  });

  it('another holder renewing the lease deposes the leader (no split brain)', async () => {
    const events: LeaderEvent[] = [];
    const [a] = await candidates(1, events);
    if (a === undefined) throw new Error('one candidate');
    a.start();
    await until('a leads', () => a.leader);
    const s = server as TestApiServer;
    // Someone else takes the lease behind a's back and keeps renewing it.
    const steal = (): void => {
      const lease = s.get('coordination.k8s.io/v1', 'leases', 'anyvip', 'kube-system');
      if (lease === undefined) return;
      s.apply('coordination.k8s.io/v1', 'leases', {
        ...lease,
        spec: { ...(lease.spec as object), holderIdentity: 'intruder', renewTime: new Date().toISOString() },
      });
    };
    const stealer = setInterval(steal, 50);
    try {
      await until('a deposed', () => !a.leader);
    } finally {
      clearInterval(stealer);
    }
    expect(events.map((e) => e.kind)).toContain('deposed');
  });

  it('the leader stops: it releases the lease and another candidate takes over at once', async () => {
    const events: LeaderEvent[] = [];
    const cs = await candidates(2, events);
    for (const c of cs) c.start();
    await until('a leader', () => cs.some((c) => c.leader));
    const leader = cs.find((c) => c.leader) as LeaderElector;
    const other = cs.find((c) => c !== leader) as LeaderElector;
    await leader.stop();
    electors.splice(electors.indexOf(leader), 1);
    await until('the other leads', () => other.leader, 3000);
    const lease = server?.get('coordination.k8s.io/v1', 'leases', 'anyvip', 'kube-system');
    expect((lease?.spec as { leaseTransitions?: number } | undefined)?.leaseTransitions).toBe(1);
  });

  it('API server unreachable: the leader steps down after the renew deadline', async () => {
    const events: LeaderEvent[] = [];
    const [a] = await candidates(1, events);
    if (a === undefined) throw new Error('one candidate');
    a.start();
    await until('a leads', () => a.leader);
    await server?.goDown();
    await until('deposed', () => !a.leader, 3000);
    await server?.comeUp();
    await until('leads again', () => a.leader, 3000);
  });
});
