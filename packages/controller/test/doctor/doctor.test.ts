import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkArpOnLo, ipv4InSubnet } from '../../src/doctor/arp-on-lo.js';
import { bindProbeArgs, classifyBindProbe } from '../../src/doctor/bind-probe.js';
import { checkCapabilities, hasCapability } from '../../src/doctor/capabilities.js';
import { doctorTarget, parsePeerFlag } from '../../src/doctor/command.js';
import { evaluateHost, formatFindings } from '../../src/doctor/doctor.js';
import { hasErrors } from '../../src/doctor/finding.js';
import type { DoctorTarget, HostFacts, InterfaceFacts } from '../../src/doctor/host-facts.js';
import { checkKubeProxy } from '../../src/doctor/kube-proxy.js';
import { checkMultipathHash } from '../../src/doctor/multipath-hash.js';
import { evaluatePeerReachability, probeTcp } from '../../src/doctor/peer-reachability.js';
import { parseCapEff, parseIpAddrJson, parseRouteDevices, readHost } from '../../src/doctor/read-host.js';
import { checkRpFilter } from '../../src/doctor/rp-filter.js';
import type { IpRunner } from '../../src/sinks/ip-runner.js';

const lo: InterfaceFacts = {
  name: 'lo',
  addresses: [
    { family: 'ipv4', address: '127.0.0.1', prefixLength: 8, metric: undefined },
    { family: 'ipv4', address: '10.250.255.1', prefixLength: 32, metric: 7717 },
  ],
};
const eth0: InterfaceFacts = {
  name: 'eth0',
  addresses: [{ family: 'ipv4', address: '10.250.0.11', prefixLength: 24, metric: undefined }],
};

function facts(sysctls: Record<string, string | number>, over: Partial<HostFacts> = {}): HostFacts {
  return {
    sysctls: new Map(Object.entries(sysctls).map(([k, v]) => [k, String(v)])),
    interfaces: [lo, eth0],
    uplinks: ['eth0'],
    capEffHex: '000001ffffffffff',
    kubeProxyMode: undefined,
    ...over,
  };
}

const target: DoctorTarget = {
  vips: ['10.250.255.1'],
  peers: [{ address: '10.250.0.1', port: 179, passive: false }],
  listenPort: undefined,
  loopbackDevice: 'lo',
};

const good = {
  'net.ipv4.fib_multipath_hash_policy': 1,
  'net.ipv6.fib_multipath_hash_policy': 1,
  'net.ipv4.conf.all.rp_filter': 0,
  'net.ipv4.conf.default.rp_filter': 2,
  'net.ipv4.conf.lo.rp_filter': 0,
  'net.ipv4.conf.eth0.rp_filter': 2,
  'net.ipv4.conf.all.arp_ignore': 1,
  'net.ipv4.conf.all.arp_announce': 2,
};

describe('multipath hash policy', () => {
  it('L4 (1) is ok; L3 (0) is a note with the sysctl that sets L4', () => {
    expect(checkMultipathHash(facts(good)).map((f) => f.severity)).toEqual(['ok', 'ok']);
    const l3 = checkMultipathHash(facts({ ...good, 'net.ipv6.fib_multipath_hash_policy': 0 }));
    expect(l3[1]).toMatchObject({ id: 'multipath-hash.ipv6', severity: 'info' });
    expect(l3[1]?.fix).toContain('sysctl -w net.ipv6.fib_multipath_hash_policy=1');
  });
});

describe('rp_filter', () => {
  it('strict on the uplink (the larger of all and the device) is a warning fixed by loose mode', () => {
    const f = checkRpFilter(
      facts({ ...good, 'net.ipv4.conf.all.rp_filter': 1, 'net.ipv4.conf.eth0.rp_filter': 0 }),
    );
    const eth = f.find((x) => x.id === 'rp-filter.eth0');
    expect(eth).toMatchObject({ severity: 'warning' });
    expect(eth?.seen).toContain('effective 1 (strict)');
    expect(eth?.fix).toBe(
      'sysctl -w net.ipv4.conf.all.rp_filter=2 && sysctl -w net.ipv4.conf.eth0.rp_filter=2',
    );
  });
  it('loose on the uplink is ok, and a strict default is a note', () => {
    const f = checkRpFilter(facts({ ...good, 'net.ipv4.conf.default.rp_filter': 1 }));
    expect(f.find((x) => x.id === 'rp-filter.eth0')?.severity).toBe('ok');
    expect(f.find((x) => x.id === 'rp-filter.default')?.severity).toBe('info');
  });
});

describe('ARP for addresses on lo', () => {
  it('arp_ignore 0 with a VIP inside the uplink subnet is an error: every node answers ARP for it', () => {
    const inSubnet = facts(
      { ...good, 'net.ipv4.conf.all.arp_ignore': 0 },
      {
        interfaces: [
          {
            name: 'lo',
            addresses: [{ family: 'ipv4', address: '10.250.0.200', prefixLength: 32, metric: 7717 }],
          },
          eth0,
        ],
      },
    );
    const f = checkArpOnLo(inSubnet, { ...target, vips: ['10.250.0.200'] });
    expect(f[0]).toMatchObject({ id: 'arp.ignore.eth0.vip-in-subnet', severity: 'error' });
    expect(f[0]?.fix).toBe('sysctl -w net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2');
  });
  it('arp_ignore 0 with VIPs outside every uplink subnet is a warning; 1 and 2 are ok', () => {
    expect(checkArpOnLo(facts({ ...good, 'net.ipv4.conf.all.arp_ignore': 0 }), target)[0]?.severity).toBe(
      'warning',
    );
    expect(checkArpOnLo(facts({ ...good, 'net.ipv4.conf.all.arp_announce': 0 }), target)[0]?.id).toBe(
      'arp.announce.eth0',
    );
    expect(checkArpOnLo(facts(good), target)[0]?.severity).toBe('ok');
  });
  it('the device value counts when larger than all', () => {
    const f = checkArpOnLo(
      facts({ ...good, 'net.ipv4.conf.all.arp_ignore': 0, 'net.ipv4.conf.eth0.arp_ignore': 1 }),
      target,
    );
    expect(f[0]?.severity).toBe('ok');
  });
  it('subnet membership', () => {
    expect(
      ipv4InSubnet('10.250.0.200', {
        family: 'ipv4',
        address: '10.250.0.11',
        prefixLength: 24,
        metric: undefined,
      }),
    ).toBe(true);
    expect(
      ipv4InSubnet('10.250.1.200', {
        family: 'ipv4',
        address: '10.250.0.11',
        prefixLength: 24,
        metric: undefined,
      }),
    ).toBe(false);
  });
});

describe('kube-proxy mode', () => {
  it('IPVS (from kube-ipvs0) without strictARP: the VIPs on kube-ipvs0 are named and strictARP is the fix', () => {
    const ipvs = facts(
      { ...good, 'net.ipv4.conf.all.arp_ignore': 0, 'net.ipv4.conf.all.arp_announce': 0 },
      {
        interfaces: [
          lo,
          eth0,
          {
            name: 'kube-ipvs0',
            addresses: [{ family: 'ipv4', address: '10.250.255.1', prefixLength: 32, metric: undefined }],
          },
        ],
      },
    );
    const f = checkKubeProxy(ipvs, target);
    expect(f[0]?.id).toBe('kube-proxy.ipvs');
    expect(f[0]?.seen).toContain('VIPs among them: 10.250.255.1');
    expect(f[1]).toMatchObject({ id: 'kube-proxy.ipvs.strict-arp', severity: 'warning' });
    expect(f[1]?.fix).toContain('strictARP: true');
  });
  it('iptables from /proxyMode is ok; no kube-proxy at all is a note', () => {
    expect(checkKubeProxy(facts(good, { kubeProxyMode: 'iptables' }), target)[0]).toMatchObject({
      id: 'kube-proxy.iptables',
      severity: 'ok',
    });
    expect(checkKubeProxy(facts(good), target)[0]?.id).toBe('kube-proxy.absent');
  });
});

describe('capabilities', () => {
  it('reads bits of CapEff: NET_ADMIN is bit 12, NET_BIND_SERVICE bit 10', () => {
    expect(hasCapability('0000000000001000', 12)).toBe(true);
    expect(hasCapability('0000000000000400', 10)).toBe(true);
    expect(hasCapability('0000000000000400', 12)).toBe(false);
  });
  it('no NET_ADMIN is an error; NET_BIND_SERVICE is wanted only to listen below 1024', () => {
    const none = facts(good, { capEffHex: '0000000000000000' });
    expect(checkCapabilities(none, target).map((f) => f.id)).toEqual(['cap.net-admin.missing']);
    expect(checkCapabilities(none, { ...target, listenPort: 1179 }).map((f) => f.id)).toEqual([
      'cap.net-admin.missing',
    ]);
    expect(checkCapabilities(none, { ...target, listenPort: 179 }).map((f) => f.id)).toEqual([
      'cap.net-admin.missing',
      'cap.net-bind-service.missing',
    ]);
    expect(checkCapabilities(facts(good, { capEffHex: '0000000000001000' }), target)[0]?.severity).toBe('ok');
  });
});

describe('binding probe (what really needs CAP_NET_ADMIN: the ip anyvip runs)', () => {
  it('deletes a TEST-NET-1 host address that is absent, never one that is present', () => {
    expect(bindProbeArgs('lo', [lo, eth0])).toEqual(['addr', 'del', '192.0.2.255/32', 'dev', 'lo']);
    const taken: InterfaceFacts = {
      name: 'lo',
      addresses: ['192.0.2.255', '192.0.2.254'].map((address) => ({
        family: 'ipv4' as const,
        address,
        prefixLength: 32,
        metric: undefined,
      })),
    };
    expect(bindProbeArgs('lo', [taken])).toEqual(['addr', 'del', '192.0.2.253/32', 'dev', 'lo']);
  });

  it('reads the kernel answer: EADDRNOTAVAIL means allowed, EPERM denied, ENOENT ip missing', () => {
    const cmd = 'ip addr del 192.0.2.255/32 dev lo';
    expect(
      classifyBindProbe(cmd, { code: 2, stderr: 'RTNETLINK answers: Cannot assign requested address\n' })
        .kind,
    ).toBe('allowed');
    expect(
      classifyBindProbe(cmd, { code: 2, stderr: 'RTNETLINK answers: Operation not permitted\n' }),
    ).toEqual({
      kind: 'denied',
      command: cmd,
      reason: 'RTNETLINK answers: Operation not permitted',
    });
    expect(classifyBindProbe(cmd, { code: 2, stderr: 'Error: ipv4: Address not found.\n' }).kind).toBe(
      'allowed',
    );
    expect(classifyBindProbe(cmd, { code: -1, stderr: 'spawn ip ENOENT' }).kind).toBe('ipMissing');
    expect(classifyBindProbe(cmd, { code: 1, stderr: 'Cannot find device "lo"' }).kind).toBe('unknown');
  });

  it('judges NET_ADMIN by the probe, not by CapEff: an ip that is denied is an error even with the bit set', () => {
    const denied = facts(good, {
      capEffHex: '000001ffffffffff',
      bindProbe: {
        kind: 'denied',
        command: 'ip addr del 192.0.2.255/32 dev lo',
        reason: 'Operation not permitted',
      },
    });
    expect(checkCapabilities(denied, target).map((f) => [f.id, f.severity])).toEqual([
      ['cap.net-admin.missing', 'error'],
    ]);
    const allowed = facts(good, {
      capEffHex: '0000000000000000',
      bindProbe: { kind: 'allowed', command: 'ip addr del 192.0.2.255/32 dev lo' },
    });
    expect(checkCapabilities(allowed, target).map((f) => [f.id, f.severity])).toEqual([
      ['cap.net-admin', 'ok'],
    ]);
    const missing = facts(good, {
      bindProbe: { kind: 'ipMissing', command: 'ip -j addr show', reason: 'spawn ip ENOENT' },
    });
    expect(checkCapabilities(missing, target).map((f) => f.id)).toEqual(['ip.missing']);
    expect(formatFindings(checkCapabilities(denied, target))).not.toContain('setcap');
  });
});

describe('peer reachability', () => {
  it('each outcome becomes one finding; refused and timeout are errors, passive peers are not probed', () => {
    const p = { address: '10.250.0.1', port: 179, passive: false };
    const f = evaluatePeerReachability([
      { peer: p, outcome: { kind: 'open', ms: 3 } },
      { peer: { ...p, address: '10.250.0.2' }, outcome: { kind: 'refused' } },
      { peer: { ...p, address: '10.250.0.3' }, outcome: { kind: 'timeout', ms: 1000 } },
      { peer: { ...p, address: '10.250.0.4', passive: true }, outcome: undefined },
    ]);
    expect(f.map((x) => [x.id, x.severity])).toEqual([
      ['peer.10.250.0.1', 'ok'],
      ['peer.10.250.0.2.refused', 'error'],
      ['peer.10.250.0.3.timeout', 'error'],
      ['peer.10.250.0.4', 'info'],
    ]);
  });

  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));
  it('probeTcp: open against a listener on 127.0.0.1, refused once it is closed', async () => {
    server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    expect((await probeTcp('127.0.0.1', port, 2000)).kind).toBe('open');
    await new Promise<void>((r) => server?.close(() => r()));
    server = undefined;
    expect((await probeTcp('127.0.0.1', port, 2000)).kind).toBe('refused');
  });
});

describe('doctor', () => {
  it('a well set up node has no errors; the text names every check and ends with a summary', () => {
    const f = evaluateHost(
      facts(good, { kubeProxyMode: 'iptables' }),
      target,
      new Map([['10.250.0.1', { kind: 'open', ms: 2 }]]),
    );
    expect(hasErrors(f)).toBe(false);
    const text = formatFindings(f);
    expect(text).toMatch(/0 errors, 0 warnings, \d+ notes, \d+ ok\n$/);
    for (const id of [
      'cap.net-admin',
      'multipath-hash.ipv4',
      'rp-filter.eth0',
      'arp.eth0',
      'kube-proxy.iptables',
      'peer.10.250.0.1',
    ])
      expect(text).toContain(id);
  });
  it('flags: a peer with a port, IPv6 with brackets', () => {
    expect(parsePeerFlag('10.250.0.1:1179')).toEqual({ address: '10.250.0.1', port: 1179, passive: false });
    expect(parsePeerFlag('[fd00:250::1]:1179')).toEqual({
      address: 'fd00:250::1',
      port: 1179,
      passive: false,
    });
    expect(parsePeerFlag('fd00:250::1')).toEqual({ address: 'fd00:250::1', port: 179, passive: false });
  });
});

describe('reading the host (the edge)', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('parses ip -j output and /proc/self/status', () => {
    const addr = JSON.stringify([
      { ifname: 'lo', addr_info: [{ family: 'inet', local: '10.250.255.1', prefixlen: 32, metric: 7717 }] },
      { ifname: 'eth0', addr_info: [{ family: 'inet6', local: 'fd00:250::11', prefixlen: 64 }] },
    ]);
    expect(parseIpAddrJson(addr)).toEqual([
      {
        name: 'lo',
        addresses: [{ family: 'ipv4', address: '10.250.255.1', prefixLength: 32, metric: 7717 }],
      },
      {
        name: 'eth0',
        addresses: [{ family: 'ipv6', address: 'fd00:250::11', prefixLength: 64, metric: undefined }],
      },
    ]);
    expect(parseIpAddrJson('not json')).toEqual([]);
    expect(parseRouteDevices('[{"dst":"default","gateway":"10.250.0.1","dev":"eth0"}]')).toEqual(['eth0']);
    expect(parseCapEff('Name:\tnode\nCapEff:\t0000000000003000\nCapBnd:\t1\n')).toBe('0000000000003000');
  });

  it('reads sysctls from a proc root and devices from ip', async () => {
    dir = await mkdtemp(join(tmpdir(), 'anyvip-doctor-'));
    await mkdir(join(dir, 'sys/net/ipv4/conf/eth0'), { recursive: true });
    await mkdir(join(dir, 'self'), { recursive: true });
    await writeFile(join(dir, 'sys/net/ipv4/conf/eth0/rp_filter'), '1\n');
    await writeFile(join(dir, 'sys/net/ipv4/fib_multipath_hash_policy'), '0\n');
    await writeFile(join(dir, 'self/status'), 'CapEff:\t0000000000001000\n');
    const calls: string[] = [];
    const ip: IpRunner = {
      async run(args) {
        calls.push(args.join(' '));
        if (args.includes('addr'))
          return { code: 0, stdout: JSON.stringify([{ ifname: 'eth0', addr_info: [] }]), stderr: '' };
        if (args.includes('get'))
          return { code: 0, stdout: '[{"dst":"10.250.0.1","dev":"eth0"}]', stderr: '' };
        return { code: 2, stdout: '', stderr: 'no default route' };
      },
    };
    const f = await readHost(target, { ip, procRoot: dir, kubeProxyUrl: null });
    expect(f.uplinks).toEqual(['eth0']);
    expect(f.sysctls.get('net.ipv4.conf.eth0.rp_filter')).toBe('1');
    expect(f.sysctls.get('net.ipv4.fib_multipath_hash_policy')).toBe('0');
    expect(f.sysctls.has('net.ipv4.conf.all.rp_filter')).toBe(false);
    expect(f.capEffHex).toBe('0000000000001000');
    expect(calls).toContain('-j route get 10.250.0.1');
    expect(calls).toContain('addr del 192.0.2.255/32 dev lo');
    expect(f.bindProbe?.kind).toBe('allowed'); // this fake ip succeeds at every addr command
  });

  it('takes peers, VIPs and the listen port from a configuration file', async () => {
    dir = await mkdtemp(join(tmpdir(), 'anyvip-doctor-'));
    const file = join(dir, 'anyvip.yaml');
    await writeFile(
      file,
      'bgp:\n  asn: 65001\n  routerId: 10.250.0.11\n  listen: { port: 179 }\n  peers:\n    - { address: 10.250.0.1, asn: 65000 }\nvips: [10.250.255.1]\n',
    );
    expect(await doctorTarget(file, ['10.250.0.2'], [])).toEqual({
      vips: ['10.250.255.1'],
      peers: [
        { address: '10.250.0.1', port: 179, passive: false },
        { address: '10.250.0.2', port: 179, passive: false },
      ],
      listenPort: 179,
      loopbackDevice: 'lo',
    });
  });
});
