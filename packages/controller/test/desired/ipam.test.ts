import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAddress, parseAddress, parseRange } from '../../src/address/ip-range.js';
import { AddressBook, admitAddress, type Forbidden, parsePools } from '../../src/desired/ipam.js';

const none: Forbidden = { nodeAddresses: new Map(), apiServerAddresses: new Set() };
const range = (t: string) => {
  const r = parseRange(t);
  if ('error' in r) throw new Error(r.error);
  return r;
};

describe('address ranges', () => {
  it('a CIDR, an A-B range and a bare address are inclusive ranges; bad text is a reason, not a throw', () => {
    expect(range('10.0.0.0/30')).toMatchObject({ family: 4, first: 0x0a000000n, last: 0x0a000003n });
    expect(range('10.0.0.5-10.0.0.9')).toMatchObject({ first: 0x0a000005n, last: 0x0a000009n });
    expect(range('fd00::1')).toMatchObject({ family: 6, first: 0xfd000000000000000000000000000001n });
    expect(parseRange('10.0.0.1/24')).toEqual({ error: '"10.0.0.1/24" has host bits set' });
    expect(parseRange('10.0.0.9-10.0.0.5')).toEqual({ error: '"10.0.0.9-10.0.0.5" ends before it starts' });
    expect(parseRange('10.0.0.1-fd00::1')).toEqual({ error: '"10.0.0.1-fd00::1" mixes IPv4 and IPv6' });
    expect(parseRange('10.0.0.300')).toHaveProperty('error');
  });

  it('address text round-trips through its number, canonical (IPv6 compressed, lower case)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (t) => {
        const a = parseAddress(t);
        expect(a).toBeDefined();
        const again = parseAddress(formatAddress(a!));
        expect(again).toEqual(a);
      }),
    );
    expect(formatAddress(parseAddress('FD00:0:0::0001')!)).toBe('fd00::1');
  });
});

describe('pools ConfigMap', () => {
  it('one key per pool: CIDRs, ranges and addresses, optional namespaces, YAML list dashes and comments ignored', () => {
    const { pools, errors } = parsePools({
      team: 'namespaces: team-a, team-b\n- 10.1.0.0/28  # the team block\n- 10.1.1.1-10.1.1.5',
      default: 'addresses: 10.0.0.0/24, fd00::100/120',
    });
    expect(errors).toEqual([]);
    expect(pools.map((p) => [p.name, p.ranges.map((r) => r.text), p.namespaces])).toEqual([
      ['default', ['10.0.0.0/24', 'fd00::100/120'], undefined],
      ['team', ['10.1.0.0/28', '10.1.1.1-10.1.1.5'], ['team-a', 'team-b']],
    ]);
  });

  it('a bad key is an ANYVIP_POOL_INVALID error naming the key, and only that pool is ignored', () => {
    const { pools, errors } = parsePools({
      good: '10.0.0.0/24',
      bad: '10.0.0.0/24\n10.9.9.9/33',
      empty: '# nothing',
    });
    expect(pools.map((p) => p.name)).toEqual(['good']);
    expect(errors).toEqual([
      {
        code: 'ANYVIP_POOL_INVALID',
        key: 'bad',
        reason: 'pools ConfigMap key "bad": "10.9.9.9/33" has a bad prefix length',
      },
      { code: 'ANYVIP_POOL_INVALID', key: 'empty', reason: 'pools ConfigMap key "empty": no addresses' },
    ]);
  });
});

describe('allowed-range rule', () => {
  const { pools } = parsePools({ shared: '10.0.0.0/24', team: 'namespaces: team\n10.1.0.0/24' });
  const forbidden: Forbidden = {
    nodeAddresses: new Map([['10.0.0.7', 'node1']]),
    apiServerAddresses: new Set(['10.0.0.8']),
  };
  const allow = [range('192.0.2.0/28')];
  const verdict = (a: string, ns = 'default') => admitAddress(a, ns, pools, allow, forbidden);

  it('inside a pool serving the namespace, or inside the allow list: allowed, canonical', () => {
    expect(verdict('10.0.0.1')).toMatchObject({ kind: 'allowed', text: '10.0.0.1' });
    expect(verdict('10.1.0.1', 'team')).toMatchObject({ kind: 'allowed' });
    expect(verdict('192.0.2.3')).toMatchObject({ kind: 'allowed' });
  });

  it("another network's address: ANYVIP_VIP_OUTSIDE_POOL naming the ranges", () => {
    expect(verdict('10.250.254.1')).toEqual({
      kind: 'refused',
      code: 'ANYVIP_VIP_OUTSIDE_POOL',
      reason:
        'ANYVIP_VIP_OUTSIDE_POOL: 10.250.254.1 is outside the allowed ranges (10.0.0.0/24, 10.1.0.0/24, 192.0.2.0/28)',
    });
  });

  it("a node's address or the API server's is refused even inside a pool", () => {
    expect(verdict('10.0.0.7')).toMatchObject({
      code: 'ANYVIP_VIP_NODE_ADDRESS',
      reason: expect.stringContaining('node1'),
    });
    expect(verdict('10.0.0.8')).toMatchObject({ code: 'ANYVIP_VIP_API_SERVER' });
  });

  it("another namespace's pool: ANYVIP_VIP_POOL_NAMESPACE", () => {
    expect(verdict('10.1.0.1', 'default')).toMatchObject({ code: 'ANYVIP_VIP_POOL_NAMESPACE' });
  });

  it('nothing configured allows nothing', () => {
    expect(admitAddress('10.0.0.1', 'default', [], [], none)).toMatchObject({
      code: 'ANYVIP_VIP_OUTSIDE_POOL',
      reason: expect.stringContaining('no pools and no --allowed-range'),
    });
  });
});

describe('allocation', () => {
  const { pools } = parsePools({ p: '10.0.0.0/30, fd00::/126' });
  const holder = (service: string, sharingKey?: string, ports: string[] = ['TCP/80']) => ({
    service,
    sharingKey,
    ports,
  });

  it('lowest free address first, skipping claimed, node and API server addresses; full pool: undefined', () => {
    const book = new AddressBook(pools, {
      nodeAddresses: new Map([['10.0.0.1', 'n']]),
      apiServerAddresses: new Set(),
    });
    expect(book.claim('10.0.0.0', holder('a/held'))).toEqual({ kind: 'claimed' });
    expect(book.allocate(holder('a/x'), 4, pools)).toBe('10.0.0.2');
    expect(book.allocate(holder('a/y'), 4, pools)).toBe('10.0.0.3');
    expect(book.allocate(holder('a/z'), 4, pools)).toBeUndefined();
    expect(book.allocate(holder('a/z'), 6, pools)).toBe('fd00::');
  });

  it('an address goes to two Services only with the same sharing key and no common port', () => {
    const book = new AddressBook(pools, none);
    expect(book.claim('10.0.0.1', holder('a/web', 'k', ['TCP/80']))).toEqual({ kind: 'claimed' });
    expect(book.claim('10.0.0.1', holder('a/dns', 'k', ['UDP/53']))).toEqual({ kind: 'claimed' });
    expect(book.claim('10.0.0.1', holder('a/web2', 'k', ['TCP/80']))).toEqual({ kind: 'inUse', by: 'a/web' });
    expect(book.claim('10.0.0.1', holder('a/other', 'j', ['TCP/8080']))).toEqual({
      kind: 'inUse',
      by: 'a/web',
    });
    expect(book.claim('10.0.0.1', holder('a/plain'))).toEqual({ kind: 'inUse', by: 'a/web' });
    // Allocation joins the shared address before taking a fresh one.
    expect(book.allocate(holder('a/ntp', 'k', ['UDP/123']), 4, pools)).toBe('10.0.0.1');
    expect(book.allocate(holder('a/web3', 'k', ['TCP/80']), 4, pools)).toBe('10.0.0.0');
  });

  it('no address is ever handed out twice without sharing', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom<4 | 6>(4, 6), { maxLength: 12 }), (families) => {
        const book = new AddressBook(pools, none);
        const got = families
          .map((f, i) => book.allocate(holder(`n/s${i}`), f, pools))
          .filter((a) => a !== undefined);
        expect(new Set(got).size).toBe(got.length);
      }),
    );
  });
});
