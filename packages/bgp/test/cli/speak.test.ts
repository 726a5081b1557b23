import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { FakeClock } from '@anyvip/clock';
import { describe, expect, it } from 'vitest';
import { runSpeak, type SpeakOptions } from '../../src/cli/speak.js';
import { MemoryTransport, until } from '../session/memory-transport.js';
import { KEEPALIVE, openMessage } from '../session/peer-messages.js';

const pkg = resolve(import.meta.dirname, '../..');

const base: SpeakOptions = {
  localAsn: 65001,
  routerId: '192.0.2.1',
  peer: '192.0.2.2',
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

describe('anyvip-bgp speak', () => {
  it('announces generated /32s, prints eor-sent with the count, then closes with Cease (--exit-after-eor)', async () => {
    const transport = new MemoryTransport();
    const lines: Record<string, unknown>[] = [];
    const out = { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) };
    const run = runSpeak(
      {
        ...base,
        generate: 5000,
        announce: ['198.51.100.0/24'],
        nextHop: '192.0.2.1',
        communities: ['65001:1'],
      },
      out,
      { speaker: { transport, clock: new FakeClock() } },
    );
    await until(() => transport.pendingConnects === 1, 'connect attempt');
    const router = transport.answer();
    await until(() => router.ofKind('open').length === 1, 'OPEN');
    router.send(openMessage({}));
    router.send(KEEPALIVE);
    await run;
    const events = lines.map((l) => l.event);
    expect(events).toContain('generated');
    expect(events.filter((e) => e === 'state')).toHaveLength(5);
    const eor = lines.find((l) => l.event === 'eor-sent');
    expect(eor).toMatchObject({ peer: '192.0.2.2', family: 'ipv4-unicast', count: 5001 });
    expect(typeof eor?.msSinceEstablished).toBe('number');
    expect(lines.find((l) => l.event === 'notification-sent')).toMatchObject({
      code: 6,
      subcode: 2,
      shutdownMessage: 'anyvip-bgp speak: End-of-RIB sent',
    });
    expect(events.at(-1)).toBe('closed');
    expect(router.ofKind('notification')).toHaveLength(1);
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
    const speaker = { transport: new MemoryTransport() };
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
    const help = execFileSync(
      process.execPath,
      [
        '--no-warnings',
        '--import',
        resolve(pkg, 'scripts/ts-resolve.mjs'),
        resolve(pkg, 'src/cli/main.ts'),
        'speak',
        '--help',
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
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
