import { preflightFaults } from '../config/preflight.js';
import type { ControllerConfig } from '../config/schema.js';
import type { Finding } from './finding.js';

/**
 * The start-up preflight (config/preflight.ts) as findings: what the configuration needs
 * from this host (the @anyvip/tcp-auth addon for passwordFile/ttlSecurity, readable key
 * files). `anyvip run` and `standalone` refuse to start on any of these; doctor lists them all.
 */
export function checkPreflight(config: ControllerConfig | undefined): Finding[] {
  if (config === undefined) return [];
  const faults = preflightFaults(config);
  const uses = (config.bgp?.peers ?? []).some(
    (p) => p.passwordFile !== undefined || p.ttlSecurity !== undefined,
  );
  if (faults.length === 0)
    return uses
      ? [
          {
            id: 'preflight',
            severity: 'ok',
            seen: 'TCP-MD5 key files readable and the @anyvip/tcp-auth addon present',
            why: 'The configuration can start on this host.',
          },
        ]
      : [];
  return faults.map((f) => ({
    id: f.code === 'ANYVIP_TCP_AUTH_UNAVAILABLE' ? 'preflight-tcp-auth' : 'preflight-password-file',
    severity: 'error' as const,
    seen: `${f.path}: ${f.reason}`,
    why: 'anyvip refuses to start with this configuration on this host.',
    ...(f.code === 'ANYVIP_TCP_AUTH_UNAVAILABLE'
      ? {
          fix: 'install @anyvip/tcp-auth (it builds with a C compiler), or drop passwordFile and ttlSecurity',
        }
      : { fix: `make ${f.path.replace(/^.*\./, '')} readable by anyvip, holding 1 to 80 octets` }),
  }));
}
