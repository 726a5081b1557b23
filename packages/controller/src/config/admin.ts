import { invalidConfig } from '../errors.js';
import { absent, boolean, join, known, object, string } from './field.js';

/** `admin:`: the HTTP listener for `/metrics`, `/healthz`, `/readyz` and `/status`. */
export interface AdminConfig {
  /** Default true. */
  readonly enabled: boolean;
  /** Default {@link defaultAdminHost}. */
  readonly host: string;
  /** Default {@link defaultAdminPort}. */
  readonly port: number;
}

/** Loopback only by default: metrics and status are for the node's own scraper and `anyvip status`. */
export const defaultAdminHost = '127.0.0.1';
/** Not in IANA's registry nor in Prometheus's default-port list as of 2026; near node-exporter's 9100 range. */
export const defaultAdminPort = 9716;
export const defaultAdminAddress = `${defaultAdminHost}:${defaultAdminPort}`;
export const defaultAdmin: AdminConfig = { enabled: true, host: defaultAdminHost, port: defaultAdminPort };

/** Parses `admin: { enabled, address }`. */
export function parseAdmin(input: unknown, path: string): AdminConfig {
  const o = object(input, path);
  known(o, path, ['enabled', 'address']);
  const enabled = absent(o.enabled) ? true : boolean(o.enabled, join(path, 'enabled'));
  if (absent(o.address)) return { ...defaultAdmin, enabled };
  const at = join(path, 'address');
  const parsed = parseAdminAddress(string(o.address, at));
  if (parsed.kind === 'invalid') throw invalidConfig(parsed.reason, at);
  return { enabled, host: parsed.host, port: parsed.port };
}

/** A `host:port` (`[v6]:port`) listen address, or why it is not one. */
export type ParsedAdminAddress =
  | { readonly kind: 'address'; readonly host: string; readonly port: number }
  | { readonly kind: 'invalid'; readonly reason: string };

/**
 * Parses `127.0.0.1:9716`, `[::1]:9716`, `0.0.0.0:9716` or `:9716` (every address). Port 0
 * asks the kernel for a free one (tests).
 */
export function parseAdminAddress(text: string): ParsedAdminAddress {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const invalid = {
    kind: 'invalid',
    reason: `must be host:port or [ipv6]:port, got ${JSON.stringify(text)}`,
  } as const;
  if (m === null) return invalid;
  const port = Number(m[3]);
  if (port > 65535) return { kind: 'invalid', reason: `port ${port} is above 65535` };
  const host = m[1] ?? (m[2] === '' || m[2] === undefined ? '::' : m[2]);
  return { kind: 'address', host, port };
}

/** `host:port`, bracketing IPv6. */
export function formatAdminAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
