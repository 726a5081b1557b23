import { describe, expect, it } from 'vitest';
import { type FsmConfig, resolveFsmConfig } from '../../src/fsm/config.js';
import {
  computeKeepaliveTimeSec,
  computeLocalOpen,
  type NegotiationResult,
  negotiate,
  negotiateHoldTime,
} from '../../src/fsm/negotiate.js';
import type { Capability } from '../../src/wire/capabilities/capability.js';
import type { OpenMessage } from '../../src/wire/open.js';
import { toHex } from '../support/bytes.js';

const base: FsmConfig = { localAsn: 65001, bgpIdentifier: '192.0.2.1', remoteAsn: 65002, holdTimeSec: 90 };

const v4: Capability = { kind: 'multiprotocol', afi: 1, safi: 1 };
const v6: Capability = { kind: 'multiprotocol', afi: 2, safi: 1 };

function open(change: Partial<OpenMessage> = {}): OpenMessage {
  return {
    kind: 'open',
    version: 4,
    myAsn: 65002,
    holdTimeSec: 90,
    bgpIdentifier: '192.0.2.2',
    capabilities: [v4, { kind: 'fourOctetAs', asn: 65002 }],
    ...change,
  };
}

function run(change: Partial<OpenMessage> = {}, config: Partial<FsmConfig> = {}): NegotiationResult {
  return negotiate(resolveFsmConfig({ ...base, ...config }), open(change));
}

function accepted(change: Partial<OpenMessage> = {}, config: Partial<FsmConfig> = {}) {
  const r = run(change, config);
  if (r.kind !== 'accepted') throw new Error(`refused: ${r.reason}`);
  return r.negotiated;
}

/** The refusal as `code/subcode [data]`. */
function refusal(change: Partial<OpenMessage> = {}, config: Partial<FsmConfig> = {}): string {
  const r = run(change, config);
  if (r.kind !== 'rejected') throw new Error('accepted');
  const n = r.notification;
  return `${n.code}/${n.subcode}${n.data.length > 0 ? ` [${toHex(n.data)}]` : ''}`;
}

describe('OPEN checks (RFC 4271 §6.2)', () => {
  it('accepts a plain eBGP OPEN and records who the peer is', () => {
    const n = accepted();
    expect(n.peerAsn).toBe(65002);
    expect(n.peerBgpIdentifier).toBe('192.0.2.2');
    expect(n.ibgp).toBe(false);
    expect(n.peerOpen.myAsn).toBe(65002);
  });

  it('refuses version 3 and 5 with 2/1, data = 2-octet version 4', () => {
    expect(refusal({ version: 3 })).toBe('2/1 [0004]');
    expect(refusal({ version: 5 })).toBe('2/1 [0004]');
  });

  it('refuses another AS than the configured one with 2/2', () => {
    expect(refusal({ myAsn: 65003, capabilities: [v4] })).toBe('2/2');
    expect(refusal({ capabilities: [v4, { kind: 'fourOctetAs', asn: 65003 }] })).toBe('2/2');
  });

  it('compares the 4-octet AS capability, not My AS = AS_TRANS (RFC 6793 §4.1)', () => {
    const n = accepted(
      { myAsn: 23456, capabilities: [v4, { kind: 'fourOctetAs', asn: 4200000002 }] },
      { remoteAsn: 4200000002 },
    );
    expect(n.peerAsn).toBe(4200000002);
  });

  it('refuses My AS = AS_TRANS without a 4-octet AS capability with 2/2 (RFC 6793)', () => {
    expect(refusal({ myAsn: 23456, capabilities: [v4] }, { remoteAsn: 23456 })).toBe('2/2');
  });

  it('refuses peer AS 0 with 2/2 (RFC 7607 §2)', () => {
    expect(refusal({ myAsn: 0, capabilities: [v4] }, { remoteAsn: undefined })).toBe('2/2');
    expect(refusal({ capabilities: [v4, { kind: 'fourOctetAs', asn: 0 }] }, { remoteAsn: undefined })).toBe(
      '2/2',
    );
  });

  it('accepts any AS when no remote AS is configured', () => {
    expect(accepted({ myAsn: 64999, capabilities: [v4] }, { remoteAsn: undefined }).peerAsn).toBe(64999);
  });

  it('refuses hold times 1 and 2 with 2/6 and accepts 0 and 3 (RFC 4271 §4.2)', () => {
    expect(refusal({ holdTimeSec: 1 })).toBe('2/6');
    expect(refusal({ holdTimeSec: 2 })).toBe('2/6');
    expect(accepted({ holdTimeSec: 0 }).holdTimeSec).toBe(0);
    expect(accepted({ holdTimeSec: 3 }).holdTimeSec).toBe(3);
  });

  it('refuses a non-zero hold time below minHoldTimeSec with 2/6, never 0', () => {
    expect(refusal({ holdTimeSec: 9 }, { minHoldTimeSec: 10 })).toBe('2/6');
    expect(accepted({ holdTimeSec: 10 }, { minHoldTimeSec: 10 }).holdTimeSec).toBe(10);
    expect(accepted({ holdTimeSec: 0 }, { minHoldTimeSec: 10 }).holdTimeSec).toBe(0);
  });

  it('refuses BGP Identifier 0.0.0.0 or an unparsable one with 2/3 (RFC 6286 §2.1)', () => {
    expect(refusal({ bgpIdentifier: '0.0.0.0' })).toBe('2/3');
    expect(refusal({ bgpIdentifier: 'not-an-address' })).toBe('2/3');
  });

  it('refuses our own BGP Identifier on iBGP with 2/3, accepts it on eBGP (RFC 6286 §2.2)', () => {
    const ibgp = { remoteAsn: 65001 };
    expect(refusal({ myAsn: 65001, bgpIdentifier: '192.0.2.1', capabilities: [v4] }, ibgp)).toBe('2/3');
    expect(accepted({ myAsn: 65001, bgpIdentifier: '192.0.2.9', capabilities: [v4] }, ibgp).ibgp).toBe(true);
    expect(accepted({ bgpIdentifier: '192.0.2.1' }).ibgp).toBe(false);
  });

  it('refuses optional parameters other than Capabilities with 2/4 (RFC 4271 §6.2)', () => {
    expect(refusal({ otherParameters: [{ type: 1, value: Uint8Array.of(1, 2) }] })).toBe('2/4');
    expect(accepted({ otherParameters: [] }).peerAsn).toBe(65002);
  });

  it('ignores capabilities it does not know (RFC 5492 §3)', () => {
    const n = accepted({ capabilities: [v4, { kind: 'unknown', code: 200, value: Uint8Array.of(1) }] });
    expect(n.families).toEqual([{ afi: 1, safi: 1 }]);
  });
});

describe('required capabilities (RFC 5492 §5: 2/7, data = the capabilities as we send them)', () => {
  it('refuses a peer without the 4-octet AS capability when it is required', () => {
    expect(refusal({ capabilities: [v4] }, { requireCapabilities: ['fourOctetAs'] })).toBe(
      '2/7 [410400' + '00fde9]',
    );
  });

  it('lists every missing capability in one NOTIFICATION', () => {
    const gracefulRestart = {
      restartState: false,
      notification: true,
      restartTimeSec: 120,
      families: [{ afi: 1, safi: 1, forwardingPreserved: true }],
    };
    expect(
      refusal(
        {},
        {
          extendedMessage: true,
          gracefulRestart,
          requireCapabilities: ['extendedMessage', 'gracefulRestart'],
        },
      ),
    ).toBe('2/7 [0600' + '4006407800010180]');
  });

  it('requires each configured family with multiprotocol', () => {
    const config: Partial<FsmConfig> = {
      families: [
        { afi: 1, safi: 1 },
        { afi: 2, safi: 1 },
      ],
      requireCapabilities: ['multiprotocol'],
    };
    expect(refusal({}, config)).toBe('2/7 [010400020001]');
    expect(accepted({ capabilities: [v4, v6] }, config).families).toHaveLength(2);
  });

  it("takes Cisco's code 128 as Route Refresh", () => {
    const cisco: Capability = { kind: 'unknown', code: 128, value: new Uint8Array(0) };
    expect(
      accepted({ capabilities: [v4, cisco] }, { requireCapabilities: ['routeRefresh'] }).routeRefresh,
    ).toBe(true);
    expect(refusal({ capabilities: [v4] }, { requireCapabilities: ['routeRefresh'] })).toBe('2/7 [0200]');
  });

  it('accepts a peer that lacks a capability we offer but do not require', () => {
    expect(accepted({ capabilities: [v4] }, { extendedMessage: true }).extendedMessage).toBe(false);
  });
});

describe('families (RFC 4760 §8)', () => {
  it('intersects the Multiprotocol capabilities, in our order', () => {
    const families = [
      { afi: 2, safi: 1 },
      { afi: 1, safi: 1 },
      { afi: 1, safi: 2 },
    ];
    expect(accepted({ capabilities: [v4, v6] }, { families }).families).toEqual([
      { afi: 2, safi: 1 },
      { afi: 1, safi: 1 },
    ]);
  });

  it('assumes IPv4 unicast from a peer that sends no Multiprotocol capability', () => {
    const families = [
      { afi: 1, safi: 1 },
      { afi: 2, safi: 1 },
    ];
    expect(accepted({ capabilities: [] }, { families }).families).toEqual([{ afi: 1, safi: 1 }]);
  });

  it('refuses a session with no family in common with 2/7 and our Multiprotocol capabilities', () => {
    expect(refusal({ capabilities: [] }, { families: [{ afi: 2, safi: 1 }] })).toBe('2/7 [010400020001]');
  });
});

describe('hold time and keepalive (RFC 4271 §4.2, §4.4)', () => {
  it('takes the smaller hold time; 0 on either side gives 0', () => {
    expect(negotiateHoldTime(90, 30)).toBe(30);
    expect(negotiateHoldTime(30, 90)).toBe(30);
    expect(negotiateHoldTime(0, 90)).toBe(0);
    expect(negotiateHoldTime(90, 0)).toBe(0);
    expect(accepted({ holdTimeSec: 180 }).holdTimeSec).toBe(90);
  });

  it('sets the keepalive to a third of the hold time, rounded down, at least 1 s', () => {
    expect(computeKeepaliveTimeSec(90)).toBe(30);
    expect(computeKeepaliveTimeSec(10)).toBe(3);
    expect(computeKeepaliveTimeSec(4)).toBe(1);
    expect(computeKeepaliveTimeSec(3)).toBe(1);
    expect(computeKeepaliveTimeSec(0)).toBe(0);
    expect(accepted({ holdTimeSec: 3 }).keepaliveTimeSec).toBe(1);
  });

  it('uses a configured keepalive when below a third of the negotiated hold time, else that third (as FRR and BIRD)', () => {
    expect(computeKeepaliveTimeSec(90, 10)).toBe(10);
    expect(computeKeepaliveTimeSec(90, 30)).toBe(30);
    expect(computeKeepaliveTimeSec(90, 60)).toBe(30);
    expect(computeKeepaliveTimeSec(4, 3)).toBe(1);
    expect(computeKeepaliveTimeSec(0, 10)).toBe(0);
    expect(accepted({}, { keepaliveTimeSec: 5 }).keepaliveTimeSec).toBe(5);
    // The peer offers 9 s, below our 90 s: our 20 s would outlive its Hold Time, so 3 s.
    const n = accepted({ holdTimeSec: 9 }, { keepaliveTimeSec: 20 });
    expect([n.holdTimeSec, n.keepaliveTimeSec]).toEqual([9, 3]);
    // The peer offers 0: no KEEPALIVEs at all (RFC 4271 §4.4), whatever we configured.
    expect(accepted({ holdTimeSec: 0 }, { keepaliveTimeSec: 20 }).keepaliveTimeSec).toBe(0);
  });
});

describe('capability intersection and codec contexts', () => {
  it('uses 4-octet AS numbers only when the peer sent the capability (RFC 6793)', () => {
    const yes = accepted();
    expect(yes.fourOctetAs && yes.receiveContext.fourOctetAs && yes.sendContext.fourOctetAs).toBe(true);
    const no = accepted({ capabilities: [v4] });
    expect(no.fourOctetAs || no.receiveContext.fourOctetAs || no.sendContext.fourOctetAs).toBe(false);
  });

  it('negotiates ADD-PATH per direction and family (RFC 7911 §4)', () => {
    const config: Partial<FsmConfig> = {
      families: [
        { afi: 1, safi: 1 },
        { afi: 2, safi: 1 },
      ],
      addPath: [
        { afi: 1, safi: 1, send: true, receive: true },
        { afi: 2, safi: 1, send: true, receive: false },
      ],
    };
    const n = accepted(
      {
        capabilities: [
          v4,
          v6,
          {
            kind: 'addPath',
            families: [
              { afi: 1, safi: 1, send: true, receive: false },
              { afi: 2, safi: 1, send: false, receive: true },
            ],
          },
        ],
      },
      config,
    );
    expect([...n.addPath.receive]).toEqual([0x0101]);
    expect([...n.addPath.send]).toEqual([0x0201]);
    expect([...n.receiveContext.addPath]).toEqual([0x0101]);
    expect([...n.sendContext.addPath]).toEqual([0x0201]);
  });

  it('ignores ADD-PATH for a family that is not negotiated', () => {
    const n = accepted(
      {
        capabilities: [v4, { kind: 'addPath', families: [{ afi: 2, safi: 1, send: true, receive: true }] }],
      },
      {
        families: [
          { afi: 1, safi: 1 },
          { afi: 2, safi: 1 },
        ],
        addPath: [{ afi: 2, safi: 1, send: true, receive: true }],
      },
    );
    expect(n.addPath.receive.size + n.addPath.send.size).toBe(0);
  });

  it('accepts Extended Messages once advertised, sends them only if both advertised (RFC 8654 §4)', () => {
    const both = accepted({ capabilities: [v4, { kind: 'extendedMessage' }] }, { extendedMessage: true });
    expect([
      both.extendedMessage,
      both.receiveContext.extendedMessage,
      both.sendContext.extendedMessage,
    ]).toEqual([true, true, true]);
    const ours = accepted({ capabilities: [v4] }, { extendedMessage: true });
    expect([
      ours.extendedMessage,
      ours.receiveContext.extendedMessage,
      ours.sendContext.extendedMessage,
    ]).toEqual([false, true, false]);
    const theirs = accepted({ capabilities: [v4, { kind: 'extendedMessage' }] });
    expect([theirs.receiveContext.extendedMessage, theirs.sendContext.extendedMessage]).toEqual([
      false,
      false,
    ]);
  });

  it('accepts IPv6 next hops for what we advertised and sends them only where both agree (RFC 8950 §3)', () => {
    const config: Partial<FsmConfig> = { extendedNextHop: [{ afi: 1, safi: 1, nextHopAfi: 2 }] };
    const both = accepted(
      { capabilities: [v4, { kind: 'extendedNextHop', entries: [{ afi: 1, safi: 1, nextHopAfi: 2 }] }] },
      config,
    );
    expect([...both.receiveContext.extendedNextHop]).toEqual([0x0101]);
    expect([...both.sendContext.extendedNextHop]).toEqual([0x0101]);
    const ours = accepted({}, config);
    expect([...ours.receiveContext.extendedNextHop]).toEqual([0x0101]);
    expect(ours.sendContext.extendedNextHop.size).toBe(0);
  });

  it('records Route Refresh when the peer offers it and Enhanced Route Refresh when both do (RFC 2918, RFC 7313)', () => {
    const n = accepted({ capabilities: [v4, { kind: 'routeRefresh' }, { kind: 'enhancedRouteRefresh' }] });
    expect([n.routeRefresh, n.enhancedRouteRefresh]).toEqual([true, true]);
    const off = accepted(
      { capabilities: [v4, { kind: 'routeRefresh' }, { kind: 'enhancedRouteRefresh' }] },
      { enhancedRouteRefresh: false },
    );
    expect(off.enhancedRouteRefresh).toBe(false);
    expect(accepted().routeRefresh).toBe(false);
  });

  it('records the peer’s Graceful Restart and Long-Lived GR capabilities (RFC 4724, RFC 9494)', () => {
    const gr: Capability = {
      kind: 'gracefulRestart',
      restartState: true,
      notification: true,
      restartTimeSec: 90,
      families: [{ afi: 1, safi: 1, forwardingPreserved: true }],
    };
    const llgr: Capability = {
      kind: 'longLivedGracefulRestart',
      families: [{ afi: 1, safi: 1, forwardingPreserved: true, staleTimeSec: 3600 }],
    };
    const n = accepted({ capabilities: [v4, gr, llgr] });
    expect(n.peerGracefulRestart).toEqual(gr);
    expect(n.peerLongLivedGracefulRestart).toEqual(llgr);
  });

  it('ignores Long-Lived GR without GR (RFC 9494 §3)', () => {
    const llgr: Capability = { kind: 'longLivedGracefulRestart', families: [] };
    expect(accepted({ capabilities: [v4, llgr] }).peerLongLivedGracefulRestart).toBeUndefined();
  });
});

describe('BGP Role (RFC 9234 §4.2)', () => {
  const role = (r: number): Capability => ({ kind: 'role', role: r });
  const pairs: [number, number][] = [
    [0, 3],
    [3, 0],
    [1, 2],
    [2, 1],
    [4, 4],
  ];
  for (const [local, remote] of pairs) {
    it(`accepts local role ${local} with remote role ${remote}`, () => {
      const n = accepted({ capabilities: [v4, role(remote)] }, { role: { role: local } });
      expect([n.localRole, n.remoteRole]).toEqual([local, remote]);
    });
  }

  it('refuses roles that do not match with 2/11', () => {
    expect(refusal({ capabilities: [v4, role(0)] }, { role: { role: 0 } })).toBe('2/11');
    expect(refusal({ capabilities: [v4, role(4)] }, { role: { role: 3 } })).toBe('2/11');
    expect(refusal({ capabilities: [v4, role(1)] }, { role: { role: 1 } })).toBe('2/11');
  });

  it('refuses a peer without a role in strict mode with 2/11, accepts it otherwise', () => {
    expect(refusal({ capabilities: [v4] }, { role: { role: 0, strict: true } })).toBe('2/11');
    expect(accepted({ capabilities: [v4] }, { role: { role: 0 } }).remoteRole).toBeUndefined();
  });

  it('refuses differing Role capabilities with 2/11, even without a local role', () => {
    expect(refusal({ capabilities: [v4, role(3), role(4)] })).toBe('2/11');
    expect(accepted({ capabilities: [v4, role(3), role(3)] }, { role: { role: 0 } }).remoteRole).toBe(3);
  });

  it('ignores Role capabilities on iBGP', () => {
    const n = accepted({ myAsn: 65001, capabilities: [v4, role(3), role(4)] }, { remoteAsn: 65001 });
    expect([n.localRole, n.remoteRole]).toEqual([undefined, undefined]);
  });
});

describe('computeLocalOpen (RFC 4271 §4.2, RFC 6793 §4.1)', () => {
  it('sends version 4, our hold time and identifier', () => {
    const o = computeLocalOpen(resolveFsmConfig({ ...base, holdTimeSec: 30 }));
    expect([o.version, o.myAsn, o.holdTimeSec, o.bgpIdentifier]).toEqual([4, 65001, 30, '192.0.2.1']);
  });

  it('uses AS_TRANS for a 4-octet ASN', () => {
    expect(computeLocalOpen(resolveFsmConfig({ ...base, localAsn: 65536 })).myAsn).toBe(23456);
  });
});
