import { describe, expect, it } from 'vitest';
import { familyKey } from '../../src/wire/constants.js';
import { type CodecContext, defaultContext, makeContext, modernContext } from '../../src/wire/context.js';
import { WireError } from '../../src/wire/errors.js';
import { formatPrefix } from '../../src/wire/prefix.js';
import { decodeUpdate, type ParsedUpdate, parseUpdate } from '../../src/wire/update.js';
import {
  checkPeerAsPath,
  malformedAttributeAction,
  missingMandatoryAttributes,
  nextHopSemanticError,
  scopeUpdateToSession,
  strongestAction,
} from '../../src/wire/validate.js';
import { concat, hex, message, toHex } from '../support/bytes.js';

/**
 * RFC 7606 handling of UPDATE faults, one case per rule, on whole messages. Faults
 * that need a session reset are thrown; the rest are listed in `issues` with the
 * NOTIFICATION code, subcode and data RFC 4271 §6.3 prescribes.
 */

const four = modernContext;

/** An UPDATE from its three sections in hex; the two length fields are computed. */
function update(withdrawn: string, attributes: string, nlri = ''): Uint8Array {
  const w = hex(withdrawn);
  const a = hex(attributes);
  const len = (b: Uint8Array) => Uint8Array.of(b.length >> 8, b.length & 0xff);
  return message(2, concat(len(w), w, len(a), a, hex(nlri)));
}

function parse(msg: Uint8Array, ctx: CodecContext = four): ParsedUpdate {
  return parseUpdate(decodeUpdate(msg), ctx);
}

function thrown(f: () => unknown): WireError {
  try {
    f();
  } catch (e) {
    if (e instanceof WireError) return e;
    throw e;
  }
  throw new Error('expected a WireError');
}

/** [code, subcode, action, data] of each issue. */
function issues(u: ParsedUpdate): [number, number, string, string][] {
  return u.issues.map((e) => [e.code, e.subcode, e.action, toHex(e.data)]);
}

const ORIGIN = '40 01 01 00';
const AS_PATH = '40 02 06 02 01 0000fde9';
const NEXT_HOP = '40 03 04 0afa0001';
const MANDATORY = `${ORIGIN} ${AS_PATH} ${NEXT_HOP}`;
const NLRI = '18 0afa01';

describe('valid UPDATEs raise no fault', () => {
  it('accepts ORIGIN, AS_PATH and NEXT_HOP with classic NLRI', () => {
    const u = parse(update('', MANDATORY, NLRI));
    expect([u.issues, u.action]).toEqual([[], undefined]);
  });

  it('accepts a withdrawal-only UPDATE with no attributes (RFC 4271 §4.3)', () => {
    expect(parse(update('18 0afa09', '')).issues).toEqual([]);
  });

  it('accepts MP_REACH_NLRI with ORIGIN and AS_PATH and no NEXT_HOP (RFC 4760 §3)', () => {
    const mp = '80 0e 1e 0002 01 10 20010db8000000000000000000000001 00 40 20010db800000001';
    expect(parse(update('', `${mp} ${ORIGIN} ${AS_PATH}`)).issues).toEqual([]);
  });
});

describe('RFC 7606 §3: message-level rules', () => {
  it('§3 b: a Total Path Attribute Length past the message stays a 3/1 session reset', () => {
    const e = thrown(() => decodeUpdate(message(2, '0000 00ff 40 01 01 00')));
    expect([e.code, e.subcode, e.action]).toEqual([3, 1, 'sessionReset']);
  });

  it('§3 c: wrong Optional/Transitive flags on a recognized attribute is 3/4 treat-as-withdraw with the attribute as data', () => {
    const u = parse(update('', `c0 01 01 00 ${AS_PATH} ${NEXT_HOP}`, NLRI));
    // The ORIGIN was there, so it is not also reported missing.
    expect(issues(u)).toEqual([[3, 4, 'treatAsWithdraw', 'c0010100']]);
    expect(u.action).toBe('treatAsWithdraw');
    expect(u.attributes.map((a) => a.kind)).toEqual(['asPath', 'nextHop']);
  });

  it('§3 c: an MP_REACH_NLRI with wrong flags is kept so that its NLRI can be withdrawn', () => {
    const mp = '40 0e 0d 0001 01 04 0afa0001 00 18 0afa02';
    const u = parse(update('', `${mp} ${ORIGIN} ${AS_PATH}`));
    expect(issues(u)).toEqual([[3, 4, 'treatAsWithdraw', '400e0d000101040afa000100180afa02']]);
    const reach = u.attributes[0];
    expect(reach?.kind === 'mpReach' && reach.nlri?.map(formatPrefix)).toEqual(['10.250.2.0/24']);
  });

  it('§3 c: Partial and Extended Length are not checked (Partial set on ORIGIN is accepted)', () => {
    expect(parse(update('', `60 01 01 00 ${AS_PATH} ${NEXT_HOP}`, NLRI)).issues).toEqual([]);
  });

  it('§3 d: each missing well-known mandatory attribute is 3/3 treat-as-withdraw with its type code as data', () => {
    const u = parse(update('', '80 04 04 00000001', NLRI));
    expect(issues(u)).toEqual([
      [3, 3, 'treatAsWithdraw', '01'],
      [3, 3, 'treatAsWithdraw', '02'],
      [3, 3, 'treatAsWithdraw', '03'],
    ]);
    expect(u.nlri.map(formatPrefix)).toEqual(['10.250.1.0/24']);
  });

  it('§3 d: ORIGIN and AS_PATH are mandatory with MP_REACH_NLRI too (RFC 4760 §3)', () => {
    const mp = '80 0e 0d 0001 01 04 0afa0001 00 18 0afa02';
    expect(issues(parse(update('', mp)))).toEqual([
      [3, 3, 'treatAsWithdraw', '01'],
      [3, 3, 'treatAsWithdraw', '02'],
    ]);
  });

  it('§3 g: a repeated attribute keeps the first copy; later ones are discarded and reported', () => {
    const u = parse(update('', `${MANDATORY} c0 08 04 fde90001 c0 08 04 fde90002`, NLRI));
    expect(issues(u)).toEqual([[3, 1, 'attributeDiscard', 'c00804fde90002']]);
    expect(u.attributes.filter((a) => a.kind === 'communities')).toEqual([
      { kind: 'communities', flags: 0xc0, values: [0xfde90001] },
    ]);
    expect(u.action).toBe('attributeDiscard');
  });

  it('§3 g: MP_REACH_NLRI twice is a 3/1 session reset', () => {
    const mp = '80 0e 0d 0001 01 04 0afa0001 00 18 0afa02';
    const e = thrown(() => parse(update('', `${mp} ${ORIGIN} ${AS_PATH} ${mp}`)));
    expect([e.code, e.subcode, e.action, e.attrType]).toEqual([3, 1, 'sessionReset', 14]);
  });

  it('§3 g: MP_UNREACH_NLRI twice is a 3/1 session reset', () => {
    const mp = '80 0f 07 0001 01 18 0afa02';
    expect(thrown(() => parse(update('', `${mp} ${mp}`))).action).toBe('sessionReset');
  });

  it('§3: the strongest action of several faults wins', () => {
    // ATOMIC_AGGREGATE with a value (attribute discard) and a bad MED (treat-as-withdraw).
    const u = parse(update('', `${MANDATORY} 40 06 01 00 80 04 02 0000`, NLRI));
    expect(u.issues.map((e) => e.action)).toEqual(['attributeDiscard', 'treatAsWithdraw']);
    expect(u.action).toBe('treatAsWithdraw');
    expect(strongestAction(u.issues)).toBe('treatAsWithdraw');
    expect(strongestAction([])).toBeUndefined();
  });

  it('RFC 4271 §6.3: an unrecognized well-known attribute is 3/2, session reset, with the attribute as data', () => {
    const e = thrown(() => parse(update('', `${MANDATORY} 40 63 02 abcd`, NLRI)));
    expect([e.code, e.subcode, e.action, toHex(e.data)]).toEqual([3, 2, 'sessionReset', '406302abcd']);
  });

  it('RFC 4271 §5: an unrecognized optional attribute is kept byte-exact, flags included', () => {
    const u = parse(update('', `${MANDATORY} e0 63 02 abcd 80 64 00`, NLRI));
    expect(u.issues).toEqual([]);
    expect(u.attributes.slice(3)).toEqual([
      { kind: 'unknown', code: 99, flags: 0xe0, value: hex('abcd') },
      { kind: 'unknown', code: 100, flags: 0x80, value: new Uint8Array(0) },
    ]);
  });
});

describe('RFC 7606 §4: attribute lengths against the attribute section', () => {
  it('an attribute overrunning the section after a complete non-MP attribute is 3/1 treat-as-withdraw; NLRI still found', () => {
    const u = parse(update('', `${ORIGIN} 40 02 09 02 01 0000fde9`, NLRI));
    expect(issues(u)).toEqual([[3, 1, 'treatAsWithdraw', '']]);
    expect(u.nlri.map(formatPrefix)).toEqual(['10.250.1.0/24']);
    expect(u.attributes.map((a) => a.kind)).toEqual(['origin']);
  });

  it('fewer than 3 octets left (4 with Extended Length) is 3/1 treat-as-withdraw', () => {
    expect(issues(parse(update('', `${MANDATORY} 40 01`, NLRI)))).toEqual([[3, 1, 'treatAsWithdraw', '']]);
    expect(issues(parse(update('', `${MANDATORY} 50 02 00`, NLRI)))).toEqual([[3, 1, 'treatAsWithdraw', '']]);
  });

  it('an overrun before any non-MP attribute is a session reset: an MP attribute could hide in the rest (RFC 7606 §5.1)', () => {
    const e = thrown(() => parse(update('', '40 01 05 00', NLRI)));
    expect([e.code, e.subcode, e.action]).toEqual([3, 1, 'sessionReset']);
    const mp = '80 0e 0d 0001 01 04 0afa0001 00 18 0afa02';
    expect(thrown(() => parse(update('', `${mp} 40 01 05 00`))).action).toBe('sessionReset');
  });
});

describe('RFC 7606 §5.3: NLRI fields', () => {
  it('a syntax error in NLRI or Withdrawn Routes is a 3/10 session reset', () => {
    expect(thrown(() => parse(update('', MANDATORY, '19 0afa01')))).toMatchObject({ subcode: 10 });
    expect(thrown(() => parse(update('21 0afa0101 00', '')))).toMatchObject({
      subcode: 10,
      action: 'sessionReset',
    });
  });
});

describe('RFC 7606 §7: each attribute', () => {
  const cases: [string, string, number, string][] = [
    ['§7.1 ORIGIN value 3 → 3/6', '40 01 01 03', 6, 'treatAsWithdraw'],
    ['§7.1 ORIGIN length 2 → 3/5', '40 01 02 0000', 5, 'treatAsWithdraw'],
    ['§7.4 MULTI_EXIT_DISC length 2 → 3/5', '80 04 02 0001', 5, 'treatAsWithdraw'],
    ['§7.5 LOCAL_PREF length 5 → 3/5', '40 05 05 0000000001', 5, 'treatAsWithdraw'],
    ['§7.6 ATOMIC_AGGREGATE length 1 → 3/5', '40 06 01 00', 5, 'attributeDiscard'],
    ['§7.7 AGGREGATOR length 6 on a 4-octet session → 3/5', 'c0 07 06 fde9 0afa0001', 5, 'attributeDiscard'],
    ['§7.8 COMMUNITIES length 6 → 3/5', 'c0 08 06 fde90001 0000', 5, 'treatAsWithdraw'],
    ['§7.9 ORIGINATOR_ID length 3 → 3/5', '80 09 03 0afa00', 5, 'treatAsWithdraw'],
    ['§7.10 CLUSTER_LIST length 0 → 3/5', '80 0a 00', 5, 'treatAsWithdraw'],
    ['§7.14 EXTENDED_COMMUNITIES length 4 → 3/5', 'c0 10 04 0002fde9', 5, 'treatAsWithdraw'],
    ['RFC 8092 §5 LARGE_COMMUNITY length 8 → 3/5', 'c0 20 08 0000fde9 00000001', 5, 'treatAsWithdraw'],
    ['RFC 6793 §6 AS4_PATH with an empty segment → 3/9', 'c0 11 02 02 00', 9, 'attributeDiscard'],
    ['RFC 6793 §6 AS4_AGGREGATOR length 6 → 3/5', 'c0 12 06 fde9 0afa0001', 5, 'attributeDiscard'],
    ['RFC 9234 §5 OTC length 2 → 3/5', 'c0 23 02 fde9', 5, 'treatAsWithdraw'],
  ];
  for (const [name, attr, subcode, action] of cases) {
    it(`${name}, ${action}, data = the attribute, attribute left out`, () => {
      const isOrigin = attr.startsWith('40 01');
      const attrs = isOrigin ? `${attr} ${AS_PATH} ${NEXT_HOP}` : `${MANDATORY} ${attr}`;
      const u = parse(update('', attrs, NLRI));
      expect(issues(u)).toEqual([[3, subcode, action, attr.replace(/\s/g, '')]]);
      expect(u.action).toBe(action);
      expect(u.attributes.length).toBe(2 + (isOrigin ? 0 : 1));
    });
  }

  it('§7.2 a malformed AS_PATH is 3/11 treat-as-withdraw, with no data (RFC 4271 §6.3)', () => {
    const u = parse(update('', `${ORIGIN} 40 02 04 02 00 fde9 ${NEXT_HOP}`, NLRI));
    expect(issues(u)).toEqual([[3, 11, 'treatAsWithdraw', '']]);
    expect(u.issues[0]?.errorCode).toBe('BGP_UPDATE_MALFORMED_AS_PATH');
  });

  it('§7.2 AS_PATH width follows the session: a 2-octet path is malformed on a 4-octet session', () => {
    const twoOctet = `${ORIGIN} 40 02 06 02 02 fde9 fdea ${NEXT_HOP}`;
    expect(parse(update('', twoOctet, NLRI), defaultContext).issues).toEqual([]);
    expect(issues(parse(update('', twoOctet, NLRI), four))).toEqual([[3, 11, 'treatAsWithdraw', '']]);
  });

  it('§7.3 a NEXT_HOP of length 0 is 3/5 treat-as-withdraw with classic NLRI', () => {
    const u = parse(update('', `${ORIGIN} ${AS_PATH} 40 03 00`, NLRI));
    expect(issues(u)).toEqual([[3, 5, 'treatAsWithdraw', '400300']]);
  });

  it('§7.3 a malformed NEXT_HOP without classic NLRI is only discarded: it is to be ignored (RFC 4760 §3)', () => {
    const mp = '80 0e 0d 0001 01 04 0afa0001 00 18 0afa02';
    const u = parse(update('', `${mp} ${ORIGIN} ${AS_PATH} 40 03 00`));
    expect(issues(u)).toEqual([[3, 5, 'attributeDiscard', '400300']]);
  });

  it('§7.11 a malformed MP_REACH_NLRI is a 3/9 session reset (we do not use AFI/SAFI disable)', () => {
    const e = thrown(() => parse(update('', `80 0e 05 0002 01 00 00 ${ORIGIN} ${AS_PATH}`)));
    expect([e.code, e.subcode, e.action, toHex(e.data)]).toEqual([3, 9, 'sessionReset', '800e050002010000']);
  });

  it('§7.12 a malformed MP_UNREACH_NLRI is a 3/9 session reset', () => {
    const e = thrown(() => parse(update('', '80 0f 04 0002 01 81')));
    expect([e.code, e.subcode, e.action]).toEqual([3, 9, 'sessionReset']);
  });

  it('documents the action for every recognized type', () => {
    expect(malformedAttributeAction.get(1)).toBe('treatAsWithdraw');
    expect(malformedAttributeAction.get(7)).toBe('attributeDiscard');
    expect(malformedAttributeAction.get(14)).toBe('sessionReset');
    expect(malformedAttributeAction.size).toBe(17);
  });
});

describe('a real malformed capture: tcpdump bgp-addpath.pcap (ADD-PATH on every family, 2-octet AS)', () => {
  // NEXT_HOP of length 0, MP_REACH_NLRI / MP_UNREACH_NLRI sent with flags 0x40, then both repeated.
  const RAW = hex(
    'ffffffffffffffffffffffffffffffff00e70200100000001418080200000000151808020100b0400101014003004002060202006400c8' +
      '400e1900010104010203040000000028187804000000002918780401400f13000101000002bc18202d00000002bd18202d01400e3d0002' +
      '0110200000000000004000000000000000010000000001782002000000000000000000001400000000000278200200000000000000000000' +
      '140001400f2b000201000000647820020000000000000000000028000000000065782002000000000000000000002800010000000a18060200' +
      '0000000b18060201',
  );
  const ctx = makeContext({
    fourOctetAs: false,
    addPath: [
      [1, 1],
      [2, 1],
    ],
  });

  it('resets the session with 3/1 on the repeated MP_REACH_NLRI (RFC 7606 §3 g)', () => {
    const e = thrown(() => parse(RAW, ctx));
    expect([e.code, e.subcode, e.action, e.attrType]).toEqual([3, 1, 'sessionReset', 14]);
  });

  it('without the repeats, treats every NLRI as withdrawn: 3/5 for NEXT_HOP, 3/4 for both MP attributes', () => {
    const m = decodeUpdate(RAW);
    // Keep the attributes up to the first MP_UNREACH_NLRI (4 + 3 + 9 + 28 + 22 octets).
    const trimmed = update(toHex(m.withdrawnRoutes), toHex(m.pathAttributes.subarray(0, 66)), toHex(m.nlri));
    const u = parse(trimmed, ctx);
    expect(issues(u)).toEqual([
      [3, 5, 'treatAsWithdraw', '400300'],
      [3, 4, 'treatAsWithdraw', toHex(m.pathAttributes.subarray(16, 44))],
      [3, 4, 'treatAsWithdraw', toHex(m.pathAttributes.subarray(44, 66))],
    ]);
    expect(u.action).toBe('treatAsWithdraw');
    const all = [...u.nlri, ...u.attributes.flatMap((a) => (a.kind === 'mpReach' ? (a.nlri ?? []) : []))].map(
      (p) => `${formatPrefix(p)}#${p.pathId}`,
    );
    expect(all).toEqual(['6.2.0.0/24#10', '6.2.1.0/24#11', '120.4.0.0/24#40', '120.4.1.0/24#41']);
    expect(u.withdrawn.map((p) => `${formatPrefix(p)}#${p.pathId}`)).toEqual([
      '8.2.0.0/24#20',
      '8.2.1.0/24#21',
    ]);
  });
});

describe('RFC 7606 §5.2: path attributes but no reachable NLRI', () => {
  it('a malformed ORIGIN (value 7) without NLRI is a session reset 3/6 with the attribute as data, not a withdraw of nothing', () => {
    const e = thrown(() => parse(update('', `40 01 01 07 ${AS_PATH} ${NEXT_HOP}`)));
    expect([e.code, e.subcode, e.action, toHex(e.data)]).toEqual([3, 6, 'sessionReset', '40010107']);
    expect(e.errorCode).toBe('BGP_UPDATE_INVALID_ORIGIN_ATTRIBUTE');
  });

  it('the same UPDATE with withdrawn routes but still no NLRI is a session reset too (withdrawals are not reachable NLRI)', () => {
    const e = thrown(() => parse(update('18 0afa09', `40 01 01 07 ${AS_PATH} ${NEXT_HOP}`)));
    expect([e.subcode, e.action]).toEqual([6, 'sessionReset']);
  });

  it('with NLRI the same fault stays treat-as-withdraw (RFC 7606 §7.1)', () => {
    const u = parse(update('', `40 01 01 07 ${AS_PATH} ${NEXT_HOP}`, NLRI));
    expect(u.action).toBe('treatAsWithdraw');
  });

  it('an attribute-discard fault without NLRI keeps the session (§5.2 excepts attribute discard)', () => {
    const u = parse(update('', `${MANDATORY} 40 06 01 00`));
    expect(issues(u)).toEqual([[3, 5, 'attributeDiscard', '40060100']]);
  });

  it('a malformed ORIGIN beside an MP_REACH_NLRI with IPv6 NLRI stays treat-as-withdraw (the NLRI are reachable)', () => {
    const mpReach = '80 0e 1c 0002 01 10 fd000250000000000000000000000001 00 30 fd0002500001';
    const u = parse(update('', `${mpReach} 40 01 01 07 ${AS_PATH}`));
    expect(u.action).toBe('treatAsWithdraw');
  });
});

describe('scopeUpdateToSession: what one session keeps', () => {
  const ipv4Only = new Set([familyKey(1, 1)]);
  const LOCAL_PREF = '40 05 04 00000309';

  it('LOCAL_PREF 777 from an external peer is ignored, silently (RFC 4271 §5.1.5, RFC 7606 §7.5)', () => {
    const u = scopeUpdateToSession(parse(update('', `${MANDATORY} ${LOCAL_PREF}`, NLRI)), {
      external: true,
      families: ipv4Only,
    });
    expect(u.attributes.map((a) => a.kind)).toEqual(['origin', 'asPath', 'nextHop']);
    expect(u.issues).toEqual([]);
    expect(u.action).toBeUndefined();
  });

  it('LOCAL_PREF from an internal peer is kept', () => {
    const parsed = parse(update('', `${MANDATORY} ${LOCAL_PREF}`, NLRI));
    const u = scopeUpdateToSession(parsed, { external: false, families: ipv4Only });
    expect(u).toBe(parsed);
    expect(u.attributes.find((a) => a.kind === 'localPref')).toMatchObject({ value: 777 });
  });

  it('MP_REACH_NLRI for IPv6 unicast on an IPv4-only session is ignored: attribute discard, 3/9 with AFI/SAFI as data (RFC 4760 §7)', () => {
    const mpReach = '80 0e 1c 0002 01 10 fd000250000000000000000000000001 00 30 20010db80253';
    const u = scopeUpdateToSession(parse(update('', `${mpReach} ${ORIGIN} ${AS_PATH}`)), {
      external: true,
      families: ipv4Only,
    });
    expect(u.attributes.some((a) => a.kind === 'mpReach')).toBe(false);
    expect(issues(u)).toEqual([[3, 9, 'attributeDiscard', '000201']]);
    expect(u.action).toBe('attributeDiscard');
  });

  it('MP_REACH_NLRI of a negotiated family is kept', () => {
    const mpReach = '80 0e 1c 0002 01 10 fd000250000000000000000000000001 00 30 20010db80253';
    const parsed = parse(update('', `${mpReach} ${ORIGIN} ${AS_PATH}`));
    expect(scopeUpdateToSession(parsed, { external: true, families: new Set([familyKey(2, 1)]) })).toBe(
      parsed,
    );
  });
});

describe('checks that need the session', () => {
  it('missingMandatoryAttributes asks nothing of an UPDATE without NLRI', () => {
    expect(missingMandatoryAttributes(new Uint8Array(256), false, false)).toEqual([]);
  });

  it('checkPeerAsPath: from an external peer the leftmost AS must be the peer AS (RFC 4271 §6.3)', () => {
    const path = [{ type: 'sequence' as const, asns: [65001, 65002] }];
    expect(checkPeerAsPath(path, { external: true, peerAsn: 65001 })).toBeUndefined();
    expect(checkPeerAsPath(path, { external: false, peerAsn: 1 })).toBeUndefined();
    const e = checkPeerAsPath(path, { external: true, peerAsn: 65003 });
    expect([e?.subcode, e?.action]).toEqual([11, 'treatAsWithdraw']);
    expect(checkPeerAsPath([], { external: true, peerAsn: 65001 })?.subcode).toBe(11);
    expect(
      checkPeerAsPath([{ type: 'confedSequence', asns: [1] }, ...path], { external: true, peerAsn: 65001 })
        ?.subcode,
    ).toBe(11);
  });

  it('nextHopSemanticError refuses 0.0.0.0, loopback, multicast and our own address with 3/8 (RFC 4271 §6.3)', () => {
    for (const bad of [0, 0x7f000001, 0xe0000001]) {
      expect([nextHopSemanticError(bad)?.subcode, nextHopSemanticError(bad)?.action]).toEqual([
        8,
        'treatAsWithdraw',
      ]);
    }
    expect(nextHopSemanticError(0x0afa0001, [0x0afa0001])?.subcode).toBe(8);
    expect(nextHopSemanticError(0x0afa0001, [0x0afa0002])).toBeUndefined();
  });
});
