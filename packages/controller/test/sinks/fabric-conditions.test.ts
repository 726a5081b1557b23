import { describe, expect, it } from 'vitest';
import type { FabricCondition } from '../../src/desired/fabric.js';
import type { DesiredState } from '../../src/desired/types.js';
import type { ControllerEvent } from '../../src/events.js';
import { FabricConditionSink, type FabricStatusObject } from '../../src/sinks/fabric-conditions.js';
import { RecordedEvents } from '../support/fake-cluster-sinks.js';

function world(
  conditions: FabricCondition[],
  leader: boolean,
  warnings: { reason: string; message: string }[] = [],
): DesiredState {
  return {
    vips: new Map(),
    loopback: { device: 'lo', metric: 7717, addresses: new Map() },
    bgp: undefined,
    table: { table: 198, protocol: 248, device: 'lo', routes: new Map() },
    kubernetes: {
      services: new Map(),
      leader,
      poolErrors: [],
      poolsConfigMap: '',
      fabric: { conditions, nodeWarnings: warnings, nodeName: 'node1' },
    },
    lifecycle: { kind: 'running' },
    carry: undefined,
    nextWakeMs: undefined,
  };
}

const bad: FabricCondition = {
  kind: 'AnyvipPeer',
  name: 'bad',
  uid: 'u1',
  generation: 2,
  accepted: false,
  reason: 'InvalidAddress',
  message: 'spec.peerAddress: "10.250.300.1" is not an IP address',
};

describe('FabricConditionSink', () => {
  it('the leader writes Accepted with observedGeneration once, and records one Warning Event per change', async () => {
    const objects = new Map<string, FabricStatusObject>([
      ['AnyvipPeer/bad', { metadata: { name: 'bad', resourceVersion: '5' }, status: {} }],
    ]);
    const writes: FabricStatusObject[] = [];
    const events = new RecordedEvents();
    const told: ControllerEvent[] = [];
    const sink = new FabricConditionSink({
      lookup: (kind, name) => objects.get(`${kind}/${name}`),
      write: async (kind, name, body) => {
        writes.push(body);
        objects.set(`${kind}/${name}`, { ...body, metadata: { name, resourceVersion: '6' } });
      },
      events,
      report: (e) => told.push(e),
      now: () => new Date('2026-12-04T22:00:00.123Z'),
    });
    const r = await sink.apply(world([bad], true), 'add');
    expect(r.errors).toEqual([]);
    expect(writes[0]?.status).toEqual({
      observedGeneration: 2,
      conditions: [
        {
          type: 'Accepted',
          status: 'False',
          reason: 'InvalidAddress',
          message: bad.message,
          observedGeneration: 2,
          lastTransitionTime: '2026-12-04T22:00:00Z',
        },
      ],
    });
    expect(events.take()).toEqual([`Warning InvalidAddress /bad: ${bad.message}`]);
    expect(told.map((e) => e.kind)).toEqual(['fabricRefused']);
    // Again: the object holds it, nothing is written or told.
    const again = await sink.apply(world([bad], true), 'add');
    expect([again.changes, writes.length, events.take()]).toEqual([[], 1, []]);
  });

  it('a follower writes nothing and records no object Event; its own Node warnings it records once', async () => {
    const events = new RecordedEvents();
    const sink = new FabricConditionSink({
      lookup: () => ({ metadata: { name: 'bad' } }),
      write: async () => {
        throw new Error('a follower must not write');
      },
      events,
      report: () => {},
    });
    const warning = { reason: 'NoDefaultGateway', message: 'no ipv6 default gateway' };
    await sink.apply(world([bad], false, [warning]), 'add');
    await sink.apply(world([bad], false, [warning]), 'add');
    expect(events.take()).toEqual(['Warning NoDefaultGateway /node1: no ipv6 default gateway']);
  });

  it('a pending condition (its Secret still being listed) is neither written nor told', async () => {
    const events = new RecordedEvents();
    const sink = new FabricConditionSink({
      lookup: () => ({ metadata: { name: 'keyed' } }),
      write: async () => {
        throw new Error('nothing to write');
      },
      events,
      report: () => {},
    });
    const r = await sink.apply(
      world([{ ...bad, name: 'keyed', reason: 'SecretPending', pending: true }], true),
      'add',
    );
    expect([r.errors, events.take()]).toEqual([[], []]);
  });
});
