import { nodeTransport, resolveTcpSecurity } from '@anyvip/bgp';
import { AnyvipError, invalidConfig } from '../errors.js';
import type { ControllerConfig, PeerConfig } from './schema.js';

/**
 * The start-up preflight: what a configuration needs from this host, checked apart from
 * parsing (which is pure, so a configuration means the same on every host). `anyvip doctor`
 * runs the same checks and prints them as findings.
 *
 * - `passwordFile` and `ttlSecurity` need the @anyvip/tcp-auth addon;
 * - a `passwordFile` must be readable and hold 1 to 80 octets (read here only to check it
 *   and to key its fingerprint; the speaker reads it again when the peer is added);
 * - each peer's `passwordFingerprint` is keyed here, with a random per-process key.
 */

/** One thing this host cannot do for the configuration, with the key path at fault. */
export interface PreflightFault {
  readonly code: 'ANYVIP_TCP_AUTH_UNAVAILABLE' | 'ANYVIP_CONFIG_INVALID';
  readonly path: string;
  readonly reason: string;
}

/**
 * The per-process HMAC key of {@link PeerConfig.passwordFingerprint}, made on first use: most
 * configurations have no password file, and crypto costs +3 MB of RSS once loaded.
 */
let fingerprintKey: Buffer | undefined;

/** `key`'s fingerprint under this process's key; crypto is loaded on the first call only. */
function fingerprint(key: Uint8Array): string {
  const { createHmac, randomBytes } = process.getBuiltinModule('node:crypto');
  fingerprintKey ??= randomBytes(32);
  return createHmac('sha256', fingerprintKey).update(key).digest('hex');
}

/** Every fault, and the peers with their fingerprints keyed (for the ones without a fault). */
function inspect(config: ControllerConfig): { faults: PreflightFault[]; peers: PeerConfig[] | undefined } {
  const faults: PreflightFault[] = [];
  const peers = config.bgp?.peers.map((p, i) => {
    if (p.passwordFile === undefined && p.ttlSecurity === undefined) return p;
    const path = `bgp.peers[${i}]`;
    const unavailable = nodeTransport.tcpSecurityUnavailable;
    if (unavailable !== undefined) {
      faults.push({
        code: 'ANYVIP_TCP_AUTH_UNAVAILABLE',
        path: `${path}.${p.passwordFile !== undefined ? 'passwordFile' : 'ttlSecurity'}`,
        reason: `passwordFile and ttlSecurity need the @anyvip/tcp-auth addon: ${unavailable}`,
      });
      return p;
    }
    if (p.passwordFile === undefined) return p;
    let key: Uint8Array | undefined;
    try {
      key = resolveTcpSecurity({ passwordFile: p.passwordFile })?.md5Key;
    } catch (e) {
      faults.push({
        code: 'ANYVIP_CONFIG_INVALID',
        path: `${path}.passwordFile`,
        reason: e instanceof Error ? e.message : String(e),
      });
      return p;
    }
    if (key === undefined) return p;
    return { ...p, passwordFingerprint: fingerprint(key) };
  });
  return { faults, peers };
}

/** What this host cannot do for `config` (empty: nothing). For `anyvip doctor`. */
export function preflightFaults(config: ControllerConfig): PreflightFault[] {
  return inspect(config).faults;
}

/**
 * Runs the preflight: throws the first fault as an `AnyvipError` naming the key path
 * (`ANYVIP_TCP_AUTH_UNAVAILABLE`, or `ANYVIP_CONFIG_INVALID` for a password file), else
 * returns the configuration with each password file's fingerprint keyed.
 */
export function preflight(config: ControllerConfig): ControllerConfig {
  const { faults, peers } = inspect(config);
  const first = faults[0];
  if (first !== undefined)
    throw first.code === 'ANYVIP_TCP_AUTH_UNAVAILABLE'
      ? new AnyvipError(first.code, first.reason, first.path)
      : invalidConfig(first.reason, first.path);
  if (config.bgp === undefined || peers === undefined) return config;
  if (peers.every((p, i) => p === config.bgp?.peers[i])) return config;
  return { ...config, bgp: { ...config.bgp, peers } };
}
