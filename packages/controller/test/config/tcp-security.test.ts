import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeTransport } from '@anyvip/bgp';
import { afterEach, describe, expect, it } from 'vitest';
import { controlPlaneConfig } from '../../src/config/control-plane.js';
import { preflight } from '../../src/config/preflight.js';
import { parseConfig as parsePure } from '../../src/config/schema.js';
import { AnyvipError } from '../../src/errors.js';
import { addPeerOptions } from '../../src/sinks/bgp.js';

/** Parsing, then the start-up preflight (the host checks), as `anyvip standalone` loads a file. */
const parseConfig = (input: unknown) => preflight(parsePure(input));

/** Peers' TCP-MD5 (RFC 2385) `passwordFile` and GTSM (RFC 5082) `ttlSecurity` in the standalone YAML. */

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function passwordFile(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'anyvip-cfg-'));
  dirs.push(dir);
  const path = join(dir, 'router.password');
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

function withPeer(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    bgp: { asn: 65001, routerId: '10.250.0.11', peers: [{ address: '10.250.0.1', asn: 65000, ...extra }] },
    healthchecks: { web: { http: 'http://127.0.0.1:8080/healthz' } },
    vips: [{ address: '10.250.255.1', healthcheck: 'web' }],
  };
}

function errorOf(fn: () => unknown): AnyvipError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AnyvipError) return err;
    throw err;
  }
  throw new Error('expected an AnyvipError');
}

const available = nodeTransport.tcpSecurityUnavailable === undefined;

describe.skipIf(!available)('peers[].passwordFile and ttlSecurity', () => {
  it('keeps the path, never the key, and hands both to the speaker', () => {
    const path = passwordFile('s3cret\n');
    const c = parseConfig(withPeer({ passwordFile: path, ttlSecurity: true }));
    const peer = c.bgp!.peers[0]!;
    expect(peer.passwordFile).toBe(path);
    expect(peer.ttlSecurity).toBe(true);
    expect(JSON.stringify(c)).not.toContain('s3cret');
    expect(addPeerOptions(peer)).toMatchObject({ passwordFile: path, ttlSecurity: true });
  });

  it('a changed key file changes the peer (SIGHUP re-adds it); the same content does not', () => {
    const path = passwordFile('first\n');
    const a = parseConfig(withPeer({ passwordFile: path })).bgp!.peers[0]!;
    const same = parseConfig(withPeer({ passwordFile: path })).bgp!.peers[0]!;
    writeFileSync(path, 'second\n');
    const rotated = parseConfig(withPeer({ passwordFile: path })).bgp!.peers[0]!;
    expect(same).toEqual(a);
    expect(rotated).not.toEqual(a);
    expect(rotated.passwordFingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('anyvip run --control-plane --password-file F --ttl-security gives every peer both', () => {
    const path = passwordFile('k\n');
    const c = controlPlaneConfig({
      vips: ['10.250.255.1'],
      peers: ['10.250.0.1', '10.250.1.1'],
      peerAsns: [65000],
      asn: 65001,
      routerId: '10.250.0.11',
      health: undefined,
      mode: 'bgp',
      holdTimeSec: undefined,
      table: undefined,
      tableProtocol: undefined,
      logLevel: undefined,
      passwordFile: path,
      ttlSecurity: true,
    });
    expect(c.bgp!.peers.map((p) => [p.passwordFile, p.ttlSecurity])).toEqual([
      [path, true],
      [path, true],
    ]);
  });

  it('takes ttlSecurity: { hops: n } with n in [1, 254]', () => {
    expect(parseConfig(withPeer({ ttlSecurity: { hops: 2 } })).bgp!.peers[0]!.ttlSecurity).toEqual({
      hops: 2,
    });
    expect(parseConfig(withPeer({ ttlSecurity: false })).bgp!.peers[0]!.ttlSecurity).toBeUndefined();
    const e = errorOf(() => parseConfig(withPeer({ ttlSecurity: { hops: 255 } })));
    expect(e.path).toBe('bgp.peers[0].ttlSecurity.hops');
  });

  it('refuses ttlSecurity with multihop (GTSM always sends 255)', () => {
    const e = errorOf(() => parseConfig(withPeer({ ttlSecurity: true, multihop: 2 })));
    expect(e.code).toBe('ANYVIP_CONFIG_INVALID');
    expect(e.path).toBe('bgp.peers[0].ttlSecurity');
  });

  it('refuses an unreadable, empty or over-long password file at load, naming the key and never the content', () => {
    const missing = errorOf(() => parseConfig(withPeer({ passwordFile: '/nonexistent/anyvip.password' })));
    expect(missing.code).toBe('ANYVIP_CONFIG_INVALID');
    expect(missing.path).toBe('bgp.peers[0].passwordFile');
    expect(missing.message).toMatch(/ENOENT/);
    expect(errorOf(() => parseConfig(withPeer({ passwordFile: passwordFile('\n') }))).message).toMatch(
      /empty/,
    );
    const long = `topsecret${'x'.repeat(80)}`;
    const tooLong = errorOf(() => parseConfig(withPeer({ passwordFile: passwordFile(long) })));
    expect(tooLong.message).toMatch(/at most 80/);
    expect(tooLong.message).not.toContain('topsecret');
  });
});

describe('without the @anyvip/tcp-auth addon', () => {
  it('refuses passwordFile and ttlSecurity at load with ANYVIP_TCP_AUTH_UNAVAILABLE and the key path', () => {
    // A child process with the addon turned off, as on a host where it could not be built.
    const schema = fileURLToPath(new URL('../../dist/config/schema.js', import.meta.url));
    const pre = fileURLToPath(new URL('../../dist/config/preflight.js', import.meta.url));
    const script = `
      import { parseConfig as parsePure } from ${JSON.stringify(schema)};
      import { preflight } from ${JSON.stringify(pre)};
      const parseConfig = (doc) => preflight(parsePure(doc));
      const doc = (extra) => ({
        bgp: { asn: 65001, routerId: '10.250.0.11', peers: [{ address: '10.250.0.1', asn: 65000, ...extra }] },
        vips: ['10.250.255.1'],
      });
      const out = [];
      for (const extra of [{ passwordFile: '/etc/hostname' }, { ttlSecurity: true }, {}]) {
        try { parseConfig(doc(extra)); out.push('ok'); } catch (e) { out.push(e.code + ' ' + e.path); }
      }
      console.log(JSON.stringify(out));
    `;
    const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, ANYVIP_TCP_AUTH_DISABLE: '1' },
    });
    expect(JSON.parse(stdout.trim())).toEqual([
      'ANYVIP_TCP_AUTH_UNAVAILABLE bgp.peers[0].passwordFile',
      'ANYVIP_TCP_AUTH_UNAVAILABLE bgp.peers[0].ttlSecurity',
      'ok',
    ]);
  });
});
