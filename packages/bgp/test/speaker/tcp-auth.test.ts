/**
 * TCP-MD5 (RFC 2385) and GTSM (RFC 5082) through the speaker API: two speakers over
 * real loopback sockets, and the configuration errors. Needs the @anyvip/tcp-auth
 * addon for the socket cases (CI builds it); the error cases run without it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SpeakerEvent } from '../../src/events.js';
import type { LogFields, Logger } from '../../src/session/logger.js';
import type { TcpSecurity } from '../../src/session/tcp-security.js';
import { nodeTransport, type TransportServer } from '../../src/session/transport.js';
import { BgpSpeaker } from '../../src/speaker.js';
import { MemoryTransport } from '../session/memory-transport.js';

const PASSWORD = 'correct-horse-battery';

const open: BgpSpeaker[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close('test over')));
});

/** A logger that keeps every entry, at every level, as the JSON a winston transport would write. */
function recordingLogger(lines: string[]): Logger {
  const keep =
    (level: string) =>
    (message: string, fields?: LogFields): void => {
      lines.push(JSON.stringify({ level, message, ...fields }));
    };
  return { debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') };
}

function speaker(
  localAsn: number,
  routerId: string,
  lines: string[],
): { s: BgpSpeaker; events: SpeakerEvent[] } {
  const s = new BgpSpeaker({ localAsn, routerId, lingerMs: 200, logger: recordingLogger(lines) });
  const events: SpeakerEvent[] = [];
  s.on('*', (e) => events.push(e));
  open.push(s);
  return { s, events };
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; ) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

describe('configuration errors', () => {
  it('a password where the transport cannot set TCP_MD5SIG is ANYVIP_TCP_AUTH_UNAVAILABLE at addPeer', () => {
    const s = new BgpSpeaker({ localAsn: 65001, routerId: '10.0.0.1', transport: new MemoryTransport() });
    open.push(s);
    expect(() => s.addPeer({ address: '192.0.2.2', remoteAsn: 65002, password: PASSWORD })).toThrow(
      expect.objectContaining({ code: 'ANYVIP_TCP_AUTH_UNAVAILABLE' }),
    );
    expect(() => s.addPeer({ address: '192.0.2.2', remoteAsn: 65002, ttlSecurity: true })).toThrow(
      expect.objectContaining({ code: 'ANYVIP_TCP_AUTH_UNAVAILABLE' }),
    );
    // Nothing was configured by the refused calls; a plain peer is still fine.
    expect(s.peers()).toHaveLength(0);
    s.addPeer({ address: '192.0.2.2', remoteAsn: 65002, passive: true });
  });

  it('the error message never contains the password', () => {
    const s = new BgpSpeaker({ localAsn: 65001, routerId: '10.0.0.1', transport: new MemoryTransport() });
    open.push(s);
    try {
      s.addPeer({ address: '192.0.2.2', remoteAsn: 65002, password: PASSWORD });
    } catch (e) {
      expect(String(e)).not.toContain(PASSWORD);
    }
  });

  it('ttlSecurity with multihop is ANYVIP_INVALID_PEER_CONFIG (GTSM always sends 255)', () => {
    const s = new BgpSpeaker({ localAsn: 65001, routerId: '10.0.0.1', transport: new MemoryTransport() });
    open.push(s);
    expect(() =>
      s.addPeer({ address: '192.0.2.2', remoteAsn: 65002, ttlSecurity: true, multihop: 3 }),
    ).toThrow(expect.objectContaining({ code: 'ANYVIP_INVALID_PEER_CONFIG' }));
  });
});

/** A MemoryTransport that claims TCP-MD5/GTSM support and records what its listener is told. */
class SecureMemoryTransport extends MemoryTransport {
  readonly tcpSecurityUnavailable = undefined;
  readonly applied: Map<string, TcpSecurity | undefined>[] = [];
  override async listen(...args: Parameters<MemoryTransport['listen']>): Promise<TransportServer> {
    const server = await super.listen(...args);
    return { ...server, applyPeerSecurity: (peers) => this.applied.push(new Map(peers)) };
  }
}

describe('listener keys follow the configured peers', () => {
  it('a peer refused for another reason leaves no key behind; add and remove update every listener', async () => {
    const transport = new SecureMemoryTransport();
    const s = new BgpSpeaker({ localAsn: 65001, routerId: '10.0.0.1', transport });
    open.push(s);
    await s.listen({ port: 0 });
    expect(() =>
      s.addPeer({ address: '192.0.2.2', remoteAsn: 65002, password: PASSWORD, connectRetryTimeSec: -1 }),
    ).toThrow(expect.objectContaining({ code: 'ANYVIP_INVALID_PEER_CONFIG' }));
    expect(transport.applied.every((m) => !m.has('192.0.2.2'))).toBe(true);
    s.addPeer({
      address: '192.0.2.2',
      remoteAsn: 65002,
      passive: true,
      password: PASSWORD,
      ttlSecurity: true,
    });
    expect(transport.applied.at(-1)?.get('192.0.2.2')).toEqual({
      md5Key: new TextEncoder().encode(PASSWORD),
      ttl: 255,
      minTtl: 255,
    });
    await s.removePeer('192.0.2.2');
    expect(transport.applied.at(-1)?.has('192.0.2.2')).toBe(false);
  });
});

describe.skipIf(nodeTransport.tcpSecurityUnavailable !== undefined)(
  'two speakers over loopback with TCP-MD5 and GTSM',
  () => {
    it('the same password on both ends reaches Established, and no log line of either holds the password', async () => {
      const lines: string[] = [];
      const a = speaker(65001, '10.255.0.1', lines);
      const b = speaker(65002, '10.255.0.2', lines);
      const { port } = await a.s.listen({ port: 0, host: '127.0.0.1' });
      a.s.addPeer({
        address: '127.0.0.1',
        remoteAsn: 65002,
        passive: true,
        password: PASSWORD,
        ttlSecurity: true,
      });
      b.s.addPeer({ address: '127.0.0.1', port, remoteAsn: 65001, password: PASSWORD, ttlSecurity: true });
      expect(await until(() => a.s.peer('127.0.0.1')?.state === 'established', 5000)).toBe(true);
      expect(await until(() => b.s.peer('127.0.0.1')?.state === 'established', 5000)).toBe(true);
      await a.s.close('done');
      await b.s.close('done');
      expect(lines.some((l) => l.includes('"tcpMd5":true'))).toBe(true);
      expect(lines.join('\n')).not.toContain(PASSWORD);
      const events = JSON.stringify([...a.events, ...b.events], (_k, v) =>
        v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v,
      );
      expect(events).not.toContain(PASSWORD);
    });

    it('a wrong password never reaches OpenSent: the SYNs are dropped (RFC 2385 §2)', async () => {
      const lines: string[] = [];
      const a = speaker(65001, '10.255.0.1', lines);
      const b = speaker(65002, '10.255.0.2', lines);
      const { port } = await a.s.listen({ port: 0, host: '127.0.0.1' });
      a.s.addPeer({ address: '127.0.0.1', remoteAsn: 65002, passive: true, password: PASSWORD });
      b.s.addPeer({
        address: '127.0.0.1',
        port,
        remoteAsn: 65001,
        password: 'wrong',
        connectRetryTimeSec: 1,
      });
      const states = new Set<string>();
      b.s.on('stateChange', (e) => states.add(e.to));
      await new Promise((r) => setTimeout(r, 1500));
      expect(b.s.peer('127.0.0.1')?.state).not.toBe('established');
      expect(states.has('openSent')).toBe(false);
      expect(a.events.some((e) => e.kind === 'stateChange' && e.to === 'openSent')).toBe(false);
    });

    it('removing a peer removes its key from the listener; adding it back restores it', async () => {
      const lines: string[] = [];
      const a = speaker(65001, '10.255.0.1', lines);
      const b = speaker(65002, '10.255.0.2', lines);
      const { port } = await a.s.listen({ port: 0, host: '127.0.0.1' });
      a.s.addPeer({ address: '127.0.0.1', remoteAsn: 65002, passive: true, password: PASSWORD });
      await a.s.removePeer('127.0.0.1');
      a.s.addPeer({ address: '127.0.0.1', remoteAsn: 65002, passive: true, password: PASSWORD });
      b.s.addPeer({ address: '127.0.0.1', port, remoteAsn: 65001, password: PASSWORD });
      expect(await until(() => a.s.peer('127.0.0.1')?.state === 'established', 5000)).toBe(true);
    });
  },
);
