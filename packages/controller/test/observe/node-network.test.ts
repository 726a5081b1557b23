import { FakeClock } from '@anyvip/healthcheck';
import { describe, expect, it } from 'vitest';
import { NodeNetworkObserver, parseNodeNetwork } from '../../src/observe/node-network.js';

describe('node network (ip -j): default gateways and interface addresses', () => {
  it('takes the lowest-metric default route per family (an ECMP one by its first next hop) and global addresses', () => {
    const n = parseNodeNetwork(
      JSON.stringify([
        { dst: 'default', gateway: '10.250.9.1', dev: 'eth1', metric: 200 },
        { dst: 'default', gateway: '10.250.3.1', dev: 'eth0', metric: 100 },
      ]),
      JSON.stringify([
        {
          dst: 'default',
          metric: 1024,
          nexthops: [{ gateway: 'fe80::1', dev: 'eth0' }, { gateway: 'fe80::2' }],
        },
      ]),
      JSON.stringify([
        { ifname: 'lo', addr_info: [{ family: 'inet', local: '127.0.0.1', scope: 'host' }] },
        {
          ifname: 'eth0',
          addr_info: [
            { family: 'inet', local: '10.250.3.2', prefixlen: 24, scope: 'global' },
            { family: 'inet6', local: 'FD00:250::3:2', prefixlen: 112, scope: 'global' },
            { family: 'inet6', local: 'fe80::3', prefixlen: 64, scope: 'link' },
          ],
        },
      ]),
    );
    expect(n.defaultGateway).toEqual({ ipv4: '10.250.3.1', ipv6: 'fe80::1' });
    expect(n.interfaces.get('eth0')).toEqual(['10.250.3.2', 'fd00:250::3:2']);
    expect(n.interfaces.get('lo')).toEqual([]);
    expect(n.connected).toEqual([
      { interface: 'eth0', address: '10.250.3.2', prefixLength: 24 },
      { interface: 'eth0', address: 'fd00:250::3:2', prefixLength: 112 },
    ]);
  });

  it('no default route of a family: none; a failed read keeps the last reading; a pass only on change', async () => {
    const clock = new FakeClock();
    let gw = '10.250.3.1';
    let fail = false;
    const changes: string[] = [];
    const o = new NodeNetworkObserver({
      clock,
      intervalMs: 30_000,
      onChange: (r) => changes.push(r),
      ip: async (args) => {
        if (fail) return { code: 1, stdout: '' };
        if (args.includes('-6')) return { code: 0, stdout: '' };
        if (args.includes('route')) return { code: 0, stdout: JSON.stringify([{ gateway: gw }]) };
        return { code: 0, stdout: '[]' };
      },
    });
    await o.refresh();
    expect(o.network?.defaultGateway).toEqual({ ipv4: '10.250.3.1' });
    await o.refresh();
    expect(changes).toEqual(['node network']);
    fail = true;
    await o.refresh();
    expect(o.network?.defaultGateway).toEqual({ ipv4: '10.250.3.1' });
    fail = false;
    gw = '10.250.3.254';
    await o.refresh();
    expect(o.network?.defaultGateway).toEqual({ ipv4: '10.250.3.254' });
    expect(changes).toEqual(['node network', 'node network']);
    o.stop();
  });
});
