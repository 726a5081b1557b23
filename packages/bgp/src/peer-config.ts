import type { AddPathFamilyConfig, FsmConfig } from './fsm/config.js';
import type { MaxPrefixLimit } from './rib/adj-rib-in.js';
import { parseNextHop } from './rib/route-template.js';
import {
  needsTcpAuth,
  readPasswordFile,
  resolveTcpSecurity,
  type TcpSecurity,
} from './session/tcp-security.js';
import { canonicalAddress } from './session/transport.js';
import type { AddPeerOptions, BfdPeerOptions, GracefulRestartOptions, MaxPrefixOptions } from './speaker.js';
import { LocalProtocolError, type LocalProtocolErrorCode } from './wire/errors.js';
import { type Family, type FamilyName, type UnicastAfi, unicastFamilies } from './wire/family.js';

/** What {@link resolvePeerConfig} needs besides the options: the speaker's identity and what it already holds. */
export interface PeerConfigContext {
  readonly localAsn: number;
  /** Our BGP Identifier, already checked. */
  readonly routerId: string;
  /** Whether a peer with this (canonical) address is configured already. */
  readonly isConfigured: (address: string) => boolean;
  /**
   * Why the transport cannot set TCP-MD5/GTSM, or undefined when it can. Asked only
   * for a peer that needs them (the default transport loads its addon to answer).
   */
  readonly tcpSecurityUnavailable: () => string | undefined;
  /** Reads a TCP-MD5 password file; {@link readPasswordFile} by default. */
  readonly readPasswordFile?: (path: string) => string;
}

/** A peer's options, checked and resolved into what its session, its listeners and BFD need. */
export interface ResolvedPeerConfig {
  /** The peer's address, canonical (see `canonicalAddress`). */
  readonly address: string;
  readonly port: number;
  readonly localAddress: string | undefined;
  readonly fsm: FsmConfig;
  readonly maxPrefixes: readonly MaxPrefixLimit[];
  readonly allowAsIn: number;
  readonly nextHopSelf: { readonly ipv4?: string; readonly ipv6?: string };
  /** TTL, TCP-MD5 and GTSM, for connections and listeners; undefined when nothing is asked. */
  readonly security: TcpSecurity | undefined;
  readonly bfd: Required<BfdPeerOptions> | undefined;
}

function misuse(code: LocalProtocolErrorCode, message: string): never {
  throw new LocalProtocolError(code, message);
}

function invalid(message: string): never {
  misuse('ANYVIP_INVALID_PEER_CONFIG', message);
}

/** The AFI of a family name; throws ANYVIP_BAD_FAMILY for anything else. */
export function afiOfFamilyName(name: FamilyName): UnicastAfi {
  const f = unicastFamilies[name];
  if (f === undefined) misuse('ANYVIP_BAD_FAMILY', `unknown family ${JSON.stringify(name)}: ipv4 or ipv6`);
  return f.afi;
}

function seconds(value: number | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < 0) invalid(`${what} must be a non-negative number`);
  return Math.round(value * 1000);
}

/**
 * Checks `speaker.addPeer` options and resolves them: the canonical address, the
 * FSM configuration (RFC 4271 §8.1.1 attributes, capabilities to offer), limits,
 * next hop self, TCP-MD5/GTSM (RFC 2385, RFC 5082) and BFD. Pure but for the
 * password file it reads through `ctx`. Throws {@link LocalProtocolError} with a
 * stable code (ANYVIP_INVALID_PEER_CONFIG, ANYVIP_DUPLICATE_PEER, ANYVIP_BAD_FAMILY,
 * ANYVIP_BAD_NEXT_HOP, ANYVIP_PASSWORD_FILE_UNREADABLE, ANYVIP_TCP_AUTH_UNAVAILABLE)
 * for the first fault found.
 */
export function resolvePeerConfig(options: AddPeerOptions, ctx: PeerConfigContext): ResolvedPeerConfig {
  const address = canonicalAddress(options.address);
  if (address === undefined) invalid(`peer address is not an IP address: ${options.address}`);
  if (ctx.isConfigured(address)) misuse('ANYVIP_DUPLICATE_PEER', `peer ${address} is already configured`);
  const port = options.port ?? 179;
  if (!Number.isInteger(port) || port < 1 || port > 65535) invalid(`port ${port} out of range`);
  const localAddress =
    options.localAddress === undefined ? undefined : canonicalAddress(options.localAddress);
  if (options.localAddress !== undefined && localAddress === undefined) {
    invalid(`localAddress is not an IP address: ${options.localAddress}`);
  }
  const familyNames = options.families ?? [address.includes(':') ? 'ipv6' : 'ipv4'];
  if (familyNames.length === 0) invalid('families must not be empty');
  const families: Family[] = [...new Set(familyNames)].map(
    (n) => unicastFamilies[afiOfFamilyName(n) === 1 ? 'ipv4' : 'ipv6'],
  );

  let addPath: AddPathFamilyConfig[] | undefined;
  if (options.addPath !== undefined && options.addPath !== false) {
    const send = options.addPath === true ? false : (options.addPath.send ?? false);
    const receive = options.addPath === true ? true : (options.addPath.receive ?? false);
    if (send || receive) addPath = families.map((f) => ({ ...f, send, receive }));
  }
  const limits =
    options.maxPrefixes === undefined
      ? []
      : Array.isArray(options.maxPrefixes)
        ? options.maxPrefixes
        : [options.maxPrefixes as MaxPrefixOptions];
  const maxPrefixes: MaxPrefixLimit[] = limits.map((l) => {
    if (!Number.isInteger(l.limit) || l.limit < 0 || l.limit > 0xffffffff) {
      invalid(`maxPrefixes limit must be an integer in [0, 4294967295], got ${l.limit}`);
    }
    if (l.action !== 'warn' && l.action !== 'stop') invalid(`maxPrefixes action must be warn or stop`);
    return {
      limit: l.limit,
      action: l.action,
      ...(l.family !== undefined ? { afi: afiOfFamilyName(l.family) } : {}),
    };
  });
  const allowAsIn = options.allowAsIn ?? 0;
  if (!Number.isInteger(allowAsIn) || allowAsIn < 0 || allowAsIn > 10) {
    invalid(`allowAsIn must be an integer in [0, 10], got ${allowAsIn}`);
  }
  const nextHopSelf: { ipv4?: string; ipv6?: string } = {};
  for (const name of ['ipv4', 'ipv6'] as const) {
    const text = options.nextHopSelf?.[name];
    if (text === undefined) continue;
    const nh = parseNextHop(text);
    if (nh.afi !== afiOfFamilyName(name))
      misuse('ANYVIP_BAD_NEXT_HOP', `nextHopSelf.${name} ${text} is not an ${name} address`);
    nextHopSelf[name] = nh.text;
  }
  const ttl =
    options.ttl ??
    (options.multihop === true ? 255 : typeof options.multihop === 'number' ? options.multihop : undefined);
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 1 || ttl > 255)) {
    invalid(`ttl must be an integer in [1, 255], got ${ttl}`);
  }
  const security = resolveTcpSecurity(
    {
      ...(options.password !== undefined ? { password: options.password } : {}),
      ...(options.passwordFile !== undefined ? { passwordFile: options.passwordFile } : {}),
      ...(options.ttlSecurity !== undefined ? { ttlSecurity: options.ttlSecurity } : {}),
      ...(ttl !== undefined ? { ttl } : {}),
    },
    ctx.readPasswordFile ?? readPasswordFile,
  );
  if (needsTcpAuth(security)) {
    const why = ctx.tcpSecurityUnavailable();
    if (why !== undefined) {
      misuse(
        'ANYVIP_TCP_AUTH_UNAVAILABLE',
        `peer ${address}: TCP-MD5 (password) and GTSM (ttlSecurity) need the @anyvip/tcp-auth addon: ${why}`,
      );
    }
  }

  const bfd = resolveBfd(options.bfd, ttl !== undefined && ttl > 1);
  const gracefulRestart = resolveGracefulRestart(options.gracefulRestart, families);

  const connectRetryTimeMs = seconds(options.connectRetryTimeSec, 'connectRetryTimeSec');
  const idleHoldTimeMs = seconds(options.idleHoldTimeSec, 'idleHoldTimeSec');
  const delayOpenTimeMs = seconds(options.delayOpenTimeSec, 'delayOpenTimeSec');
  const fsm: FsmConfig = {
    localAsn: ctx.localAsn,
    bgpIdentifier: ctx.routerId,
    remoteAsn: options.remoteAsn,
    families,
    passiveTcpEstablishment: options.passive ?? false,
    ...(options.holdTimeSec !== undefined ? { holdTimeSec: options.holdTimeSec } : {}),
    ...(options.keepaliveTimeSec !== undefined ? { keepaliveTimeSec: options.keepaliveTimeSec } : {}),
    ...(options.minHoldTimeSec !== undefined ? { minHoldTimeSec: options.minHoldTimeSec } : {}),
    ...(connectRetryTimeMs !== undefined ? { connectRetryTimeMs } : {}),
    ...(idleHoldTimeMs !== undefined ? { idleHoldTimeMs } : {}),
    ...(delayOpenTimeMs !== undefined ? { delayOpenTimeMs } : {}),
    ...(options.dampPeerOscillations !== undefined
      ? { dampPeerOscillations: options.dampPeerOscillations }
      : {}),
    ...(options.enhancedRouteRefresh !== undefined
      ? { enhancedRouteRefresh: options.enhancedRouteRefresh }
      : {}),
    ...(options.extendedMessage !== undefined ? { extendedMessage: options.extendedMessage } : {}),
    ...(options.collisionDetectEstablishedState !== undefined
      ? { collisionDetectEstablishedState: options.collisionDetectEstablishedState }
      : {}),
    ...(addPath !== undefined ? { addPath } : {}),
    ...(gracefulRestart !== undefined ? { gracefulRestart } : {}),
  };
  return { address, port, localAddress, fsm, maxPrefixes, allowAsIn, nextHopSelf, security, bfd };
}

const BFD_DEFAULTS = { minTxMs: 300, minRxMs: 300, multiplier: 3 } as const;

function resolveBfd(
  option: boolean | BfdPeerOptions | undefined,
  multihopSession: boolean,
): Required<BfdPeerOptions> | undefined {
  if (option === undefined || option === false) return undefined;
  const o = option === true ? {} : option;
  const r = {
    minTxMs: o.minTxMs ?? BFD_DEFAULTS.minTxMs,
    minRxMs: o.minRxMs ?? BFD_DEFAULTS.minRxMs,
    multiplier: o.multiplier ?? BFD_DEFAULTS.multiplier,
    multihop: o.multihop ?? multihopSession,
  };
  for (const [name, v] of [
    ['bfd.minTxMs', r.minTxMs],
    ['bfd.minRxMs', r.minRxMs],
  ] as const) {
    // Below 10 ms Node's timers cannot keep up on a loaded host.
    if (!Number.isInteger(v) || v < 10 || v > 60_000)
      invalid(`${name} must be an integer in [10, 60000], got ${v}`);
  }
  if (!Number.isInteger(r.multiplier) || r.multiplier < 1 || r.multiplier > 255)
    invalid(`bfd.multiplier must be an integer in [1, 255], got ${r.multiplier}`);
  return r;
}

function resolveGracefulRestart(
  option: boolean | GracefulRestartOptions | undefined,
  families: readonly Family[],
): FsmConfig['gracefulRestart'] {
  if (option === undefined || option === false) return undefined;
  const o = option === true ? {} : option;
  const restartTimeSec = o.restartTimeSec ?? 120;
  if (!Number.isInteger(restartTimeSec) || restartTimeSec < 0 || restartTimeSec > 4095)
    invalid(`gracefulRestart.restartTimeSec must be in [0, 4095], got ${restartTimeSec}`);
  const forwardingPreserved = o.forwardingPreserved ?? true;
  return {
    restartState: o.restarting ?? false,
    notification: o.notification ?? false,
    restartTimeSec,
    families: families.map((f) => ({ afi: f.afi, safi: f.safi, forwardingPreserved })),
  };
}
