import { describe, expect, it } from 'vitest';
import type { PeerConfig } from '../../src/config/schema.js';
import { computeNodeStatus } from '../../src/desired/node-status.js';
import { established, world } from '../support/node-status-world.js';

/**
 * What a node's status says when advertisements or families leave peers out of a route's
 * export (found by the two-rack interop lab: a VIP sent only to rack A's router read as
 * announced by rack B's nodes too, and an IPv4 VIP listed an IPv6-only session as its peer).
 */
describe('computeNodeStatus: a VIP exported to no peer, or to peers of another family', () => {
  it('a VIP no advertisement sends to any peer of this node is not announced from it, and says why', () => {
    const d = world([established]);
    const bgp = d.bgp;
    if (bgp === undefined) throw new Error('no bgp');
    const routesByPeer = new Map([
      ['10.250.1.1', new Map()],
      ['10.250.1.3', new Map()],
    ]);
    const status = computeNodeStatus({ ...d, bgp: { ...bgp, routesByPeer } as typeof bgp });
    expect(status?.vips[0]).toMatchObject({
      address: '10.250.1.10',
      announced: false,
      reason: 'no advertisement sends it to a peer of this node',
      peers: [],
    });
  });

  it('an IPv4 VIP lists only the peers whose session carries IPv4 (RFC 4760), whatever the export holds', () => {
    const d = world([established]);
    const bgp = d.bgp;
    if (bgp === undefined) throw new Error('no bgp');
    const route = bgp.routes.get('10.250.1.10/32');
    if (route === undefined) throw new Error('no route');
    const v6: PeerConfig = { ...(bgp.peers.get('10.250.1.3') as PeerConfig), address: 'fd00:250::1:3' };
    const peers = new Map([...bgp.peers].filter(([a]) => a !== '10.250.1.3'));
    peers.set('fd00:250::1:3', v6);
    const routesByPeer = new Map([
      ['10.250.1.1', new Map([['10.250.1.10/32', route]])],
      ['fd00:250::1:3', new Map([['10.250.1.10/32', route]])],
    ]);
    const status = computeNodeStatus({ ...d, bgp: { ...bgp, peers, routesByPeer } as typeof bgp });
    expect(status?.vips[0]).toMatchObject({ announced: true, peers: ['10.250.1.1'] });
  });
});
