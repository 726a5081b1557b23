import { nodeTransport } from '@anyvip/bgp';
import { describe, expect, it } from 'vitest';
import { preflight, preflightFaults } from '../../src/config/preflight.js';
import { parseConfig } from '../../src/config/schema.js';
import { checkPreflight } from '../../src/doctor/preflight.js';

const doc = (extra: Record<string, unknown>) => ({
  bgp: { asn: 65001, routerId: '10.250.0.11', peers: [{ address: '10.250.0.1', asn: 65000, ...extra }] },
  vips: ['10.250.255.1'],
});

describe('parsing is pure; the host is checked by the start-up preflight', () => {
  it('parseConfig reads nothing on the host: a missing key file parses, with no fingerprint yet', () => {
    const c = parseConfig(doc({ passwordFile: '/nonexistent/anyvip.password' }));
    expect(c.bgp?.peers[0]).toMatchObject({
      passwordFile: '/nonexistent/anyvip.password',
      passwordFingerprint: undefined,
    });
  });

  it('the preflight refuses what this host cannot do, naming the key path; doctor lists it as an error', () => {
    const c = parseConfig(doc({ passwordFile: '/nonexistent/anyvip.password' }));
    const faults = preflightFaults(c);
    expect(faults).toHaveLength(1);
    const code =
      nodeTransport.tcpSecurityUnavailable === undefined
        ? 'ANYVIP_CONFIG_INVALID'
        : 'ANYVIP_TCP_AUTH_UNAVAILABLE';
    expect(faults[0]).toMatchObject({ code, path: 'bgp.peers[0].passwordFile' });
    expect(() => preflight(c)).toThrow(expect.objectContaining({ code, path: 'bgp.peers[0].passwordFile' }));
    expect(checkPreflight(c).map((f) => f.severity)).toEqual(['error']);
  });

  it('a configuration without TCP security passes the preflight unchanged, and doctor says nothing of it', () => {
    const c = parseConfig(doc({}));
    expect(preflight(c)).toBe(c);
    expect(checkPreflight(c)).toEqual([]);
  });
});
