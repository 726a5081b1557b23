/**
 * The speaker without the @anyvip/tcp-auth addon (ANYVIP_TCP_AUTH_DISABLE=1 in a child
 * process, as if no compiler had been there at install): plain peers, multihop (a
 * best-effort TTL) and listening work as before; a password or GTSM is refused at
 * addPeer with ANYVIP_TCP_AUTH_UNAVAILABLE, never a crash.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const pkg = resolve(import.meta.dirname, '../..');

const script = `
import { BgpSpeaker } from ${JSON.stringify(resolve(pkg, 'src/speaker.ts'))};
import { nodeTransport } from ${JSON.stringify(resolve(pkg, 'src/session/transport.ts'))};
const out = { supportsTtl: nodeTransport.supportsTtl, unavailable: nodeTransport.tcpSecurityUnavailable };
const s = new BgpSpeaker({ localAsn: 65001, routerId: '10.0.0.1' });
await s.listen({ port: 0, host: '127.0.0.1' });
s.addPeer({ address: '127.0.0.2', remoteAsn: 65002, passive: true, multihop: 2 });
for (const extra of [{ password: 'pw' }, { ttlSecurity: true }]) {
  try {
    s.addPeer({ address: '127.0.0.3', remoteAsn: 65003, ...extra });
    out[Object.keys(extra)[0]] = 'accepted';
  } catch (e) {
    out[Object.keys(extra)[0]] = e.code;
  }
}
out.peers = s.peers().map((p) => p.address);
await s.close();
console.log(JSON.stringify(out));
`;

describe('the speaker without the addon', () => {
  it('keeps plain and multihop peers working and refuses password and ttlSecurity with ANYVIP_TCP_AUTH_UNAVAILABLE', () => {
    const stdout = execFileSync(
      process.execPath,
      [
        '--no-warnings',
        '--import',
        resolve(pkg, 'scripts/ts-resolve.mjs'),
        '--input-type=module',
        '-e',
        script,
      ],
      { encoding: 'utf8', timeout: 20_000, env: { ...process.env, ANYVIP_TCP_AUTH_DISABLE: '1' } },
    );
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(out).toEqual({
      supportsTtl: false,
      unavailable: 'disabled by ANYVIP_TCP_AUTH_DISABLE=1',
      password: 'ANYVIP_TCP_AUTH_UNAVAILABLE',
      ttlSecurity: 'ANYVIP_TCP_AUTH_UNAVAILABLE',
      peers: ['127.0.0.2'],
    });
  });
});
