import { describe, expect, it } from 'vitest';
import { PeerPassword } from '../../src/config/peer-password.js';
import { parseConfig } from '../../src/config/schema.js';
import type { ClusterNode } from '../../src/desired/cluster.js';
import type { FabricObject, FabricSecret, PeerSpec } from '../../src/desired/fabric.js';
import { computeNodePeers, type NodePeersInput } from '../../src/desired/peers.js';
import { canonicalJson } from '../../src/reconcile/diff.js';

const flags = parseConfig({
  bgp: { asn: 65001, routerId: '10.250.0.11', peers: [{ address: '10.250.0.1', asn: 65000, holdTime: 30 }] },
}).bgp;

function node(labels: Record<string, string> = {}, annotations: Record<string, string> = {}): ClusterNode {
  return {
    metadata: { name: 'node-a1', labels, annotations },
    status: {
      addresses: [
        { type: 'InternalIP', address: '10.250.1.11' },
        { type: 'InternalIP', address: 'fd00:250::11' },
      ],
    },
  };
}

function peer(
  name: string,
  spec: PeerSpec,
  extra: Partial<FabricObject<PeerSpec>> = {},
): FabricObject<PeerSpec> {
  return { name, uid: `u-${name}`, generation: 1, labels: {}, spec, ...extra };
}

function input(over: Partial<NodePeersInput>): NodePeersInput {
  return {
    flags: undefined,
    nodeName: 'node-a1',
    node: node({ rack: 'a' }),
    peers: [],
    secrets: new Map(),
    network: {
      defaultGateway: { ipv4: '10.250.1.1' },
      interfaces: new Map([['eth0', ['10.250.1.11', 'fd00:250::11']]]),
      connected: [
        { interface: 'eth0', address: '10.250.1.11', prefixLength: 24 },
        { interface: 'eth0', address: 'fd00:250::11', prefixLength: 64 },
      ],
    },
    kubeVipPrefix: 'kube-vip.io',
    lastGood: new Map(),
    ...over,
  };
}

const rackA = peer('tor-a', {
  nodeSelector: { matchLabels: { rack: 'a' } },
  peerAddress: '10.250.1.1',
  peerASN: 65010,
});
const rackB = peer('tor-b', {
  nodeSelector: { matchLabels: { rack: 'b' } },
  peerAddress: '10.250.2.1',
  peerASN: 65020,
});

describe('computeNodePeers: which peers this node has', () => {
  it('takes only the AnyvipPeers whose nodeSelector matches this Node, reporting their source', () => {
    const plan = computeNodePeers(input({ flags, peers: [rackA, rackB] }));
    expect([...plan.peers.keys()].sort()).toEqual(['10.250.0.1', '10.250.1.1']);
    expect(plan.peers.get('10.250.1.1')?.source).toBe('AnyvipPeer/tor-a');
    expect(plan.peers.get('10.250.0.1')?.source).toBeUndefined();
    expect(plan.conditions.map((c) => `${c.name} ${c.accepted}`)).toEqual(['tor-a true', 'tor-b true']);
  });

  it('flags alone still work when the CRDs are not installed', () => {
    const plan = computeNodePeers(input({ flags, peers: undefined }));
    expect([...plan.peers.keys()]).toEqual(['10.250.0.1']);
    expect(plan.speaker).toEqual({ asn: 65001, routerId: '10.250.0.11' });
  });

  it('finds an autoDiscovery peer at the default gateway of its family; none of that family is a Node warning', () => {
    const auto4 = peer('gw4', { autoDiscovery: { mode: 'DefaultGateway', family: 'ipv4' }, peerASN: 65010 });
    const auto6 = peer('gw6', { autoDiscovery: { mode: 'DefaultGateway', family: 'ipv6' }, peerASN: 65010 });
    const plan = computeNodePeers(input({ flags, peers: [auto4, auto6] }));
    expect(plan.peers.get('10.250.1.1')?.source).toBe('AnyvipPeer/gw4');
    expect(plan.nodeWarnings.map((w) => w.reason)).toEqual(['NoDefaultGateway']);
    expect(plan.conditions.every((c) => c.accepted)).toBe(true);
  });

  it('a link-local IPv6 default gateway is a Node warning, not a session that cannot connect', () => {
    const auto6 = peer('gw6', { autoDiscovery: { mode: 'DefaultGateway', family: 'ipv6' }, peerASN: 65010 });
    const network = { defaultGateway: { ipv6: 'fe80::1' }, interfaces: new Map(), connected: [] };
    const plan = computeNodePeers(input({ flags, peers: [auto6], network }));
    expect(plan.peers.has('fe80::1')).toBe(false);
    expect(plan.nodeWarnings.map((w) => w.reason)).toEqual(['LinkLocalGateway']);
  });

  it('maps every AnyvipPeer field onto the session settings', () => {
    const full = peer('full', {
      peerAddress: '10.250.9.1',
      peerASN: 65009,
      port: 1179,
      sourceInterface: 'eth0',
      ebgpMultihop: 4,
      holdTimeSeconds: 9,
      keepaliveTimeSeconds: 2,
      connectRetryTimeSeconds: 2,
      bfd: { minTxMs: 100 },
      gracefulRestart: { enabled: true, restartTimeSeconds: 60 },
      families: ['ipv4', 'ipv6'],
    });
    const p = computeNodePeers(input({ flags, peers: [full] })).peers.get('10.250.9.1');
    expect(p).toMatchObject({
      port: 1179,
      localAddress: '10.250.1.11',
      multihop: 4,
      holdTimeSec: 9,
      keepaliveTimeSec: 2,
      connectRetrySec: 2,
      bfd: { minTxMs: 100, minRxMs: 300, multiplier: 3 },
      gracefulRestart: { restartTimeSec: 60 },
      families: ['ipv4', 'ipv6'],
      // IPv6 VIPs over the IPv4 session: the Node's IPv6 address is their next hop.
      nextHopSelf: { ipv6: 'fd00:250::11' },
    });
  });
});

describe('computeNodePeers: the next hop of the other family over a session', () => {
  // Two links, as a node on two top-of-rack routers: the Node's InternalIPs are on eth0.
  const network = {
    defaultGateway: {},
    interfaces: new Map([
      ['eth0', ['10.250.1.11', 'fd00:250::11']],
      ['eth1', ['10.250.2.11', 'fd00:250:2::11']],
    ]),
    connected: [
      { interface: 'eth0', address: '10.250.1.11', prefixLength: 24 },
      { interface: 'eth0', address: 'fd00:250::11', prefixLength: 64 },
      { interface: 'eth1', address: '10.250.2.11', prefixLength: 24 },
      { interface: 'eth1', address: 'fd00:250:2::11', prefixLength: 64 },
      { interface: 'lo', address: '10.250.9.11', prefixLength: 32 },
    ],
  };
  const both = (name: string, spec: Partial<PeerSpec>) =>
    peer(name, { peerASN: 65010, families: ['ipv4', 'ipv6'], ...spec });
  const nextHops = (spec: Partial<PeerSpec>, address: string) =>
    computeNodePeers(input({ peers: [both('p', spec)], network })).peers.get(address)?.nextHopSelf;

  it('a directly connected peer: this node’s address of that family on the session’s interface (as BIRD and FRR choose)', () => {
    // On eth1: not the Node's InternalIP (eth0), which the router on eth1 could not resolve.
    expect(nextHops({ peerAddress: '10.250.2.1' }, '10.250.2.1')).toEqual({ ipv6: 'fd00:250:2::11' });
    expect(nextHops({ peerAddress: 'fd00:250:2::1' }, 'fd00:250:2::1')).toEqual({ ipv4: '10.250.2.11' });
    expect(nextHops({ peerAddress: '10.250.1.1' }, '10.250.1.1')).toEqual({ ipv6: 'fd00:250::11' });
    // The session's source address names the interface.
    expect(nextHops({ peerAddress: '10.250.7.1', sourceAddress: '10.250.2.11' }, '10.250.7.1')).toEqual({
      ipv6: 'fd00:250:2::11',
    });
  });

  it('nextHop wins; a multihop peer, or one on no connected network, gets the Node’s address', () => {
    expect(
      nextHops({ peerAddress: '10.250.2.1', nextHop: { ipv6: 'fd00:250:2::99' } }, '10.250.2.1'),
    ).toEqual({
      ipv6: 'fd00:250:2::99',
    });
    expect(nextHops({ peerAddress: '10.250.2.1', ebgpMultihop: 2 }, '10.250.2.1')).toEqual({
      ipv6: 'fd00:250::11',
    });
    expect(nextHops({ peerAddress: '10.250.8.1' }, '10.250.8.1')).toEqual({ ipv6: 'fd00:250::11' });
  });
});

describe('computeNodePeers: our AS and router id per node', () => {
  it('node label anyvip.io/asn > myASN > --asn', () => {
    const mine = peer('tor-a', { ...rackA.spec, myASN: 65011 });
    expect(computeNodePeers(input({ flags, peers: [rackA] })).speaker?.asn).toBe(65001);
    expect(computeNodePeers(input({ flags, peers: [mine] })).speaker?.asn).toBe(65011);
    const labelled = input({ flags, peers: [mine], node: node({ rack: 'a', 'anyvip.io/asn': '65021' }) });
    expect(computeNodePeers(labelled).speaker?.asn).toBe(65021);
  });

  it('kube-vip node-asn annotation counts as the node AS', () => {
    const plan = computeNodePeers(input({ flags, node: node({}, { 'kube-vip.io/node-asn': '65033' }) }));
    expect(plan.speaker?.asn).toBe(65033);
  });

  it('peers disagreeing on myASN: the first by name wins, the other is left out with a Node warning', () => {
    const one = peer('a', { peerAddress: '10.250.1.1', peerASN: 65010, myASN: 65011 });
    const two = peer('b', { peerAddress: '10.250.1.2', peerASN: 65010, myASN: 65012 });
    const plan = computeNodePeers(input({ flags, peers: [two, one] }));
    expect(plan.speaker?.asn).toBe(65011);
    expect(plan.peers.has('10.250.1.2')).toBe(false);
    expect(plan.nodeWarnings.map((w) => w.reason)).toEqual(['ConflictingASN']);
  });

  it('router id: annotation > routerID > --router-id > the Node IPv4 address', () => {
    const withId = peer('tor-a', { ...rackA.spec, routerID: '192.0.2.7' });
    expect(computeNodePeers(input({ flags, peers: [rackA] })).speaker?.routerId).toBe('10.250.0.11');
    expect(computeNodePeers(input({ flags, peers: [withId] })).speaker?.routerId).toBe('192.0.2.7');
    const annotated = node({ rack: 'a' }, { 'anyvip.io/router-id': '192.0.2.9' });
    expect(computeNodePeers(input({ flags, peers: [withId], node: annotated })).speaker?.routerId).toBe(
      '192.0.2.9',
    );
    const noFlagId = flags === undefined ? undefined : { ...flags, routerId: undefined as unknown as string };
    expect(computeNodePeers(input({ flags: noFlagId, peers: [rackA] })).speaker?.routerId).toBe(
      '10.250.1.11',
    );
  });
});

describe('computeNodePeers: kube-vip node annotations', () => {
  it('peer-ip + peer-asn (+ src-ip, peer-multi-hop) add a peer named node-annotation', () => {
    const n = node(
      {},
      {
        'kube-vip.io/peer-ip': '10.250.7.1,10.250.7.2',
        'kube-vip.io/peer-asn': '65070',
        'kube-vip.io/src-ip': '10.250.1.11',
        'kube-vip.io/peer-multi-hop': 'true',
      },
    );
    const plan = computeNodePeers(input({ flags, node: n }));
    expect(plan.peers.get('10.250.7.1')).toMatchObject({
      asn: 65070,
      localAddress: '10.250.1.11',
      multihop: 255,
      holdTimeSec: 30,
      source: 'node-annotation',
    });
    expect(plan.peers.has('10.250.7.2')).toBe(true);
  });

  it('ignores the base64 password annotation with a Node warning; a Secret reference works', () => {
    const key = new PeerPassword('s3cret', 'bgp-auth/password', 'fp1');
    const secrets = new Map<string, FabricSecret>([
      ['bgp-auth', { name: 'bgp-auth', keys: new Map([['password', key]]) }],
    ]);
    const n = node(
      {},
      {
        'kube-vip.io/peer-ip': '10.250.7.1',
        'kube-vip.io/peer-asn': '65070',
        'kube-vip.io/bgp-pass': 'czNjcmV0',
        'anyvip.io/peer-password-secret': 'bgp-auth',
      },
    );
    const plan = computeNodePeers(input({ flags, node: n, secrets }));
    expect(plan.nodeWarnings.map((w) => w.reason)).toEqual(['PasswordAnnotationIgnored']);
    expect(plan.peers.get('10.250.7.1')?.password?.reveal()).toBe('s3cret');
  });
});

describe('computeNodePeers: bad objects', () => {
  it('a bad address, or a missing Secret, is Accepted=False and never used; the others keep working', () => {
    const bad = peer('bad', { peerAddress: '10.250.300.1', peerASN: 65010 });
    const noSecret = peer('nosecret', {
      ...rackA.spec,
      peerAddress: '10.250.1.5',
      passwordSecretRef: { name: 'gone' },
    });
    const plan = computeNodePeers(input({ flags, peers: [bad, noSecret, rackA] }));
    expect([...plan.peers.keys()].sort()).toEqual(['10.250.0.1', '10.250.1.1']);
    expect(plan.conditions.map((c) => `${c.name} ${c.accepted} ${c.reason}`)).toEqual([
      'bad false InvalidAddress',
      'nosecret false SecretNotFound',
      'tor-a true Accepted',
    ]);
  });

  it('an accepted peer edited into a refused one keeps its last accepted spec in force', () => {
    const first = computeNodePeers(input({ flags, peers: [rackA] }));
    const broken = { ...rackA, generation: 2, spec: { ...rackA.spec, holdTimeSeconds: 2 } };
    const second = computeNodePeers(input({ flags, peers: [broken], lastGood: first.lastGood }));
    expect(second.peers.get('10.250.1.1')?.holdTimeSec).toBe(90);
    expect(second.conditions[0]).toMatchObject({ accepted: false, reason: 'InvalidTimers', generation: 2 });
    expect(second.conditions[0]?.message).toContain('generation 1 stays in force');
  });

  it('a keepalive not below the hold time, or with a hold time of 0, is InvalidTimers (the speaker would refuse it)', () => {
    const at = (holdTimeSeconds: number, keepaliveTimeSeconds: number) =>
      computeNodePeers(
        input({ flags, peers: [peer('t', { ...rackA.spec, holdTimeSeconds, keepaliveTimeSeconds })] }),
      ).conditions[0];
    expect(at(9, 9)).toMatchObject({ accepted: false, reason: 'InvalidTimers' });
    expect(at(0, 3)).toMatchObject({ accepted: false, reason: 'InvalidTimers' });
    expect(at(0, 3)?.message).toContain('non-zero holdTimeSeconds');
    expect(at(9, 0)).toMatchObject({ accepted: false, reason: 'InvalidTimers' });
    expect(at(9, 3)).toMatchObject({ accepted: true });
  });

  it('a peer without keepaliveTimeSeconds leaves it to the speaker (a third of the negotiated hold time)', () => {
    expect(computeNodePeers(input({ flags, peers: [rackA] })).peers.get('10.250.1.1')).not.toHaveProperty(
      'keepaliveTimeSec',
    );
  });

  it('a schema failure (the observer’s check) is refused with its words', () => {
    const invalid = peer('x', rackA.spec, { invalid: 'spec.peerASN: must be >= 1' });
    expect(computeNodePeers(input({ flags, peers: [invalid] })).conditions[0]).toMatchObject({
      accepted: false,
      reason: 'InvalidSpec',
      message: 'spec.peerASN: must be >= 1',
    });
  });

  it('the TCP-MD5 key never shows in JSON: only where it came from and its fingerprint', () => {
    const key = new PeerPassword('s3cret', 'bgp-auth/password', 'fp1');
    const secrets = new Map<string, FabricSecret>([
      ['bgp-auth', { name: 'bgp-auth', keys: new Map([['password', key]]) }],
    ]);
    const withKey = peer('tor-a', { ...rackA.spec, passwordSecretRef: { name: 'bgp-auth' } });
    const p = computeNodePeers(input({ flags, peers: [withKey], secrets })).peers.get('10.250.1.1');
    expect(canonicalJson(p)).not.toContain('s3cret');
    expect(canonicalJson(p)).toContain('fp1');
    expect(String(p?.password)).not.toContain('s3cret');
  });
});
