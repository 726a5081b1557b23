import { BgpSpeaker, type SpeakerEvent, type Transport } from '@anyvip/bgp';
import { afterEach, describe, expect, it } from 'vitest';
import { runSpeak, type SpeakOptions } from '../src/speak.js';
import { cli } from './support/cli.js';

const base: SpeakOptions = {
  localAsn: 65001,
  routerId: '192.0.2.1',
  peer: '127.0.0.1',
  peerAsn: 65002,
  port: 179,
  passive: false,
  holdTimeSec: 90,
  announce: [],
  communities: [],
  largeCommunities: [],
  generate: 0,
  generateBase: '10.0.0.0',
  ipv4: true,
  ipv6: false,
  exitAfterEor: true,
  statsIntervalMs: 1000,
};

/** A transport that cannot set socket options (no TCP-MD5, no GTSM) and is never reached. */
const plainTransport: Transport = {
  supportsTtl: false,
  connect: () => Promise.reject(new Error('not used')),
  listen: () => Promise.reject(new Error('not used')),
};

const routers: BgpSpeaker[] = [];
afterEach(async () => {
  await Promise.all(routers.splice(0).map((r) => r.close('test over')));
});

describe('anyvip-bgp speak', () => {
  it('announces generated /32s, prints eor-sent with the count, then closes with Cease (--exit-after-eor)', async () => {
    // The router: @anyvip/bgp itself, passive on a loopback port.
    const router = new BgpSpeaker({ localAsn: 65002, routerId: '192.0.2.2', lingerMs: 200 });
    routers.push(router);
    const { port } = await router.listen({ port: 0, host: '127.0.0.1' });
    router.addPeer({ address: '127.0.0.1', remoteAsn: 65001, passive: true });
    const seen: SpeakerEvent[] = [];
    router.on('*', (e) => seen.push(e));
    const lines: Record<string, unknown>[] = [];
    const out = { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) };
    await runSpeak(
      {
        ...base,
        port,
        generate: 5000,
        announce: ['198.51.100.0/24'],
        nextHop: '192.0.2.1',
        communities: ['65001:1'],
      },
      out,
    );
    const events = lines.map((l) => l.event);
    expect(events).toContain('generated');
    expect(events.filter((e) => e === 'state')).toHaveLength(5);
    const eor = lines.find((l) => l.event === 'eor-sent');
    expect(eor).toMatchObject({ peer: '127.0.0.1', family: 'ipv4-unicast', count: 5001 });
    expect(typeof eor?.msSinceEstablished).toBe('number');
    expect(lines.find((l) => l.event === 'notification-sent')).toMatchObject({
      code: 6,
      subcode: 2,
      shutdownMessage: 'anyvip-bgp speak: End-of-RIB sent',
    });
    expect(events.at(-1)).toBe('closed');
    // The router got the whole table before the Cease.
    expect(seen.find((e) => e.kind === 'eorReceived')).toMatchObject({ count: 5001 });
    expect(seen.filter((e) => e.kind === 'notificationReceived')).toMatchObject([
      { code: 6, subcode: 2, shutdownMessage: 'anyvip-bgp speak: End-of-RIB sent' },
    ]);
  });

  it('refuses bad arguments with a LocalProtocolError before opening anything', async () => {
    const out = { write: () => undefined };
    await expect(runSpeak({ ...base, peer: 'router' }, out)).rejects.toThrow(/--peer/);
    await expect(runSpeak({ ...base, generate: 10, generateBase: '255.255.255.250' }, out)).rejects.toThrow(
      /--generate/,
    );
    await expect(runSpeak({ ...base, announce: ['10.0.0.1/8'] }, out)).rejects.toThrow(/host bits/);
  });

  it('refuses --password-file and --ttl-security where the transport cannot set them (ANYVIP_TCP_AUTH_UNAVAILABLE)', async () => {
    const out = { write: () => undefined };
    const speaker = { transport: plainTransport };
    await expect(
      runSpeak({ ...base, passwordFile: '/etc/hostname' }, out, { speaker }),
    ).rejects.toMatchObject({
      code: 'ANYVIP_TCP_AUTH_UNAVAILABLE',
    });
    await expect(runSpeak({ ...base, ttlSecurity: { hops: 2 } }, out, { speaker })).rejects.toMatchObject({
      code: 'ANYVIP_TCP_AUTH_UNAVAILABLE',
    });
  });

  it('is registered in the anyvip-bgp command line with its flags', () => {
    const help = cli(['speak', '--help']);
    for (const flag of [
      '--local-asn',
      '--router-id',
      '--peer',
      '--peer-asn',
      '--passive',
      '--hold-time',
      '--announce',
      '--next-hop',
      '--community',
      '--large-community',
      '--med',
      '--generate',
      '--generate-base',
      '--ipv6',
      '--duration',
      '--exit-after-eor',
      '--listen-port',
      '--password-file',
      '--ttl-security',
      '--ttl-security-hops',
    ]) {
      expect(help).toContain(flag);
    }
    // The key comes from a file only: a flag would show it in `ps`.
    expect(help).not.toMatch(/--password\b(?!-file)/);
  });
});
