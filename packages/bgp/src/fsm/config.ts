import { parseIpv4 } from '../wire/address.js';
import type {
  GracefulRestartCapability,
  LongLivedGracefulRestartCapability,
} from '../wire/capabilities/capability.js';
import { Afi, BgpRole, familyKey, Safi } from '../wire/constants.js';
import { LocalProtocolError } from '../wire/errors.js';
import type { Family } from '../wire/family.js';

export type { Family } from '../wire/family.js';

/** ADD-PATH wishes for one family (RFC 7911 §4). */
export interface AddPathFamilyConfig extends Family {
  /** We want to send several paths per prefix. */
  readonly send: boolean;
  /** We accept several paths per prefix. */
  readonly receive: boolean;
}

/** An (AFI, SAFI) whose NLRI we accept with a next hop of `nextHopAfi` (RFC 8950 §3). */
export interface ExtendedNextHopConfig extends Family {
  readonly nextHopAfi: number;
}

/**
 * Capabilities a peer must advertise, or the OPEN is refused with OPEN Message Error /
 * Unsupported Capability (RFC 5492 §5). `multiprotocol` means every configured family.
 * Each must be one we advertise ourselves.
 */
export type RequirableCapability =
  | 'multiprotocol'
  | 'routeRefresh'
  | 'enhancedRouteRefresh'
  | 'fourOctetAs'
  | 'extendedMessage'
  | 'extendedNextHop'
  | 'addPath'
  | 'gracefulRestart'
  | 'longLivedGracefulRestart';

/**
 * One peer's settings for the FSM: what we put in our OPEN, what we accept in the
 * peer's, and the RFC 4271 §8.1.1 optional session attributes. Durations the wire
 * carries are in seconds, timer settings in milliseconds.
 */
export interface FsmConfig {
  /** Our AS number, 1 to 4294967295 (AS 0 is refused, RFC 7607). */
  readonly localAsn: number;
  /** Our BGP Identifier, dotted quad, not 0.0.0.0 (RFC 6286 §2.1). */
  readonly bgpIdentifier: string;
  /** The peer's AS; an OPEN from any other is refused with 2/2. Omit to accept any AS. */
  readonly remoteAsn?: number;
  /** Hold Time we offer: 0 or 3 to 65535 seconds (RFC 4271 §4.2). Default 90. */
  readonly holdTimeSec?: number;
  /**
   * KeepaliveTime (RFC 4271 §4.4, §10), a local setting the OPEN does not carry: 1 to
   * `holdTimeSec - 1` seconds. Omitted: a third of the negotiated Hold Time, the RFC's
   * "reasonable maximum". Once the Hold Time is negotiated the interval used is
   * min(this, negotiated Hold Time / 3), as FRR and BIRD do, so a peer that offers a smaller
   * Hold Time than ours still hears from us three times per Hold Time; with a
   * negotiated Hold Time of 0 no KEEPALIVE is sent at all.
   */
  readonly keepaliveTimeSec?: number;
  /** Smallest non-zero Hold Time we accept from the peer; below it, 2/6 (RFC 4271 §6.2). Default 3. */
  readonly minHoldTimeSec?: number;
  /** Families we offer, one Multiprotocol capability each (RFC 4760 §8). Default IPv4 unicast. */
  readonly families?: readonly Family[];
  /** Offer Route Refresh (RFC 2918). Default true. */
  readonly routeRefresh?: boolean;
  /** Offer Enhanced Route Refresh (RFC 7313). Default true. */
  readonly enhancedRouteRefresh?: boolean;
  /** ADD-PATH per family (RFC 7911); each family must be in `families`. */
  readonly addPath?: readonly AddPathFamilyConfig[];
  /** Offer Extended Messages (RFC 8654). Default false. */
  readonly extendedMessage?: boolean;
  /** Extended Next Hop entries (RFC 8950); each family must be in `families`. */
  readonly extendedNextHop?: readonly ExtendedNextHopConfig[];
  /** Our BGP Role (RFC 9234, eBGP only); `strict` refuses a peer that sends none. */
  readonly role?: { readonly role: number; readonly strict?: boolean };
  /** Graceful Restart capability to send (RFC 4724, RFC 8538 N bit). */
  readonly gracefulRestart?: Omit<GracefulRestartCapability, 'kind'>;
  /** Long-Lived Graceful Restart capability to send (RFC 9494); needs `gracefulRestart`. */
  readonly longLivedGracefulRestart?: Omit<LongLivedGracefulRestartCapability, 'kind'>;
  /** Capabilities the peer must advertise (RFC 5492 §5). */
  readonly requireCapabilities?: readonly RequirableCapability[];
  /** ConnectRetry backoff base (RFC 4271 §8: ConnectRetryTime). Default 5 s. */
  readonly connectRetryTimeMs?: number;
  /** ConnectRetry backoff cap. Default 120 s, the RFC 4271 §10 suggested ConnectRetryTime. */
  readonly connectRetryMaxMs?: number;
  /** IdleHold time before an automatic restart after an error (RFC 4271 §8.1.1). Default 5 s. */
  readonly idleHoldTimeMs?: number;
  /** IdleHold cap when damping doubles it. Default 120 s. */
  readonly idleHoldMaxMs?: number;
  /** Established this long and the damping level resets. Default 60 s. */
  readonly stableTimeMs?: number;
  /** DelayOpenTime (RFC 4271 §8.1.1); 0, the default, means DelayOpen is off. */
  readonly delayOpenTimeMs?: number;
  /** PassiveTcpEstablishment for every start (RFC 4271 §8.1.1). Default false. */
  readonly passiveTcpEstablishment?: boolean;
  /** DampPeerOscillations for every start (RFC 4271 §8.1.1). Default false. */
  readonly dampPeerOscillations?: boolean;
  /** AllowAutomaticStart: restart by itself after IdleHold when an error sent it to Idle. Default true. */
  readonly allowAutomaticStart?: boolean;
  /** SendNOTIFICATIONwithoutOPEN (RFC 4271 §8.1.1). Default false. */
  readonly sendNotificationWithoutOpen?: boolean;
  /**
   * CollisionDetectEstablishedState (RFC 4271 §8.1.1): a collision with an
   * Established connection is resolved by BGP Identifier too. Read by whoever calls
   * `resolveCollision`. Default false: the Established connection stays.
   */
  readonly collisionDetectEstablishedState?: boolean;
}

/** {@link FsmConfig} checked, with every default filled in. */
export interface ResolvedFsmConfig {
  readonly localAsn: number;
  readonly bgpIdentifier: string;
  readonly remoteAsn: number | undefined;
  readonly holdTimeSec: number;
  /** Configured KeepaliveTime; undefined: a third of the negotiated Hold Time. */
  readonly keepaliveTimeSec: number | undefined;
  readonly minHoldTimeSec: number;
  readonly families: readonly Family[];
  readonly routeRefresh: boolean;
  readonly enhancedRouteRefresh: boolean;
  readonly addPath: readonly AddPathFamilyConfig[];
  readonly extendedMessage: boolean;
  readonly extendedNextHop: readonly ExtendedNextHopConfig[];
  readonly role: { readonly role: number; readonly strict: boolean } | undefined;
  readonly gracefulRestart: Omit<GracefulRestartCapability, 'kind'> | undefined;
  readonly longLivedGracefulRestart: Omit<LongLivedGracefulRestartCapability, 'kind'> | undefined;
  readonly requireCapabilities: readonly RequirableCapability[];
  readonly connectRetryTimeMs: number;
  readonly connectRetryMaxMs: number;
  readonly idleHoldTimeMs: number;
  readonly idleHoldMaxMs: number;
  readonly stableTimeMs: number;
  readonly delayOpenTimeMs: number;
  readonly passiveTcpEstablishment: boolean;
  readonly dampPeerOscillations: boolean;
  readonly allowAutomaticStart: boolean;
  readonly sendNotificationWithoutOpen: boolean;
  readonly collisionDetectEstablishedState: boolean;
}

/** Defaults of the timer settings (milliseconds). */
export const fsmTimerDefaults = Object.freeze({
  connectRetryTimeMs: 5_000,
  connectRetryMaxMs: 120_000,
  idleHoldTimeMs: 5_000,
  idleHoldMaxMs: 120_000,
  stableTimeMs: 60_000,
});

function invalid(reason: string): never {
  throw new LocalProtocolError('ANYVIP_INVALID_PEER_CONFIG', reason);
}

function checkInteger(value: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    invalid(`${what} must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

function checkFamily(f: Family, what: string): void {
  checkInteger(f.afi, 0, 0xffff, `${what} AFI`);
  checkInteger(f.safi, 0, 0xff, `${what} SAFI`);
}

/**
 * Checks a configuration and fills in its defaults. Throws LocalProtocolError
 * (`ANYVIP_INVALID_PEER_CONFIG`) for a value the RFCs forbid or an inconsistent
 * combination: this is the caller's mistake, found before any peer is involved.
 */
export function resolveFsmConfig(config: FsmConfig): ResolvedFsmConfig {
  const localAsn = checkInteger(config.localAsn, 1, 0xffffffff, 'localAsn');
  const remoteAsn =
    config.remoteAsn === undefined ? undefined : checkInteger(config.remoteAsn, 1, 0xffffffff, 'remoteAsn');
  const id = parseIpv4(config.bgpIdentifier);
  if (id === undefined || id === 0)
    invalid(`bgpIdentifier must be a non-zero dotted quad, got ${config.bgpIdentifier}`);
  const holdTimeSec = checkInteger(config.holdTimeSec ?? 90, 0, 0xffff, 'holdTimeSec');
  if (holdTimeSec === 1 || holdTimeSec === 2) invalid('holdTimeSec must be 0 or at least 3 (RFC 4271 §4.2)');
  let keepaliveTimeSec: number | undefined;
  if (config.keepaliveTimeSec !== undefined) {
    // With a Hold Time of 0 no KEEPALIVE is ever sent (RFC 4271 §4.4): an interval then is a mistake.
    if (holdTimeSec === 0) invalid('keepaliveTimeSec needs a non-zero holdTimeSec (RFC 4271 §4.4)');
    keepaliveTimeSec = checkInteger(config.keepaliveTimeSec, 1, holdTimeSec - 1, 'keepaliveTimeSec');
  }
  const minHoldTimeSec = checkInteger(config.minHoldTimeSec ?? 3, 0, 0xffff, 'minHoldTimeSec');

  const families = config.families ?? [{ afi: Afi.IPV4, safi: Safi.UNICAST }];
  if (families.length === 0) invalid('families must not be empty');
  const keys = new Set<number>();
  for (const f of families) {
    checkFamily(f, 'family');
    const key = familyKey(f.afi, f.safi);
    if (keys.has(key)) invalid(`family ${f.afi}/${f.safi} is listed twice`);
    keys.add(key);
  }
  const addPath = config.addPath ?? [];
  const addPathKeys = new Set<number>();
  for (const f of addPath) {
    checkFamily(f, 'addPath');
    const key = familyKey(f.afi, f.safi);
    if (!keys.has(key)) invalid(`addPath family ${f.afi}/${f.safi} is not in families`);
    if (addPathKeys.has(key)) invalid(`addPath family ${f.afi}/${f.safi} is listed twice`);
    if (!f.send && !f.receive) invalid(`addPath family ${f.afi}/${f.safi} neither sends nor receives`);
    addPathKeys.add(key);
  }
  const extendedNextHop = config.extendedNextHop ?? [];
  for (const e of extendedNextHop) {
    checkFamily(e, 'extendedNextHop');
    checkInteger(e.nextHopAfi, 0, 0xffff, 'extendedNextHop next hop AFI');
    if (!keys.has(familyKey(e.afi, e.safi)))
      invalid(`extendedNextHop family ${e.afi}/${e.safi} is not in families`);
  }

  let role: ResolvedFsmConfig['role'];
  if (config.role !== undefined) {
    checkInteger(config.role.role, BgpRole.PROVIDER, BgpRole.PEER, 'role');
    // RFC 9234 §4.1: the Role capability is for eBGP sessions only.
    if (remoteAsn === localAsn) invalid('role is for eBGP sessions only (RFC 9234 §4.1)');
    role = { role: config.role.role, strict: config.role.strict ?? false };
  }
  const gr = config.gracefulRestart;
  if (gr !== undefined) {
    checkInteger(gr.restartTimeSec, 0, 0xfff, 'gracefulRestart.restartTimeSec');
    for (const f of gr.families) checkFamily(f, 'gracefulRestart');
  }
  const llgr = config.longLivedGracefulRestart;
  if (llgr !== undefined) {
    if (gr === undefined) invalid('longLivedGracefulRestart needs gracefulRestart (RFC 9494 §3)');
    for (const f of llgr.families) {
      checkFamily(f, 'longLivedGracefulRestart');
      checkInteger(f.staleTimeSec, 0, 0xffffff, 'longLivedGracefulRestart staleTimeSec');
    }
  }

  // RFC 5492 §4: a capability's length is one octet, so each list has a ceiling.
  const fits = (count: number, perEntry: number, fixed: number, what: string): void => {
    if (fixed + count * perEntry > 0xff)
      invalid(`${what} has too many entries for one capability (RFC 5492 §4)`);
  };
  fits(addPath.length, 4, 0, 'addPath');
  fits(extendedNextHop.length, 6, 0, 'extendedNextHop');
  fits(gr?.families.length ?? 0, 4, 2, 'gracefulRestart');
  fits(llgr?.families.length ?? 0, 7, 0, 'longLivedGracefulRestart');

  const routeRefresh = config.routeRefresh ?? true;
  const enhancedRouteRefresh = config.enhancedRouteRefresh ?? true;
  const extendedMessage = config.extendedMessage ?? false;
  const advertised: Record<RequirableCapability, boolean> = {
    multiprotocol: true,
    fourOctetAs: true,
    routeRefresh,
    enhancedRouteRefresh,
    extendedMessage,
    extendedNextHop: extendedNextHop.length > 0,
    addPath: addPath.length > 0,
    gracefulRestart: gr !== undefined,
    longLivedGracefulRestart: llgr !== undefined,
  };
  const requireCapabilities = [...new Set(config.requireCapabilities ?? [])];
  for (const r of requireCapabilities) {
    if (!advertised[r])
      invalid(`requireCapabilities lists ${r}, which this configuration does not advertise`);
  }

  const timer = (value: number | undefined, fallback: number, min: number, what: string): number =>
    checkInteger(value ?? fallback, min, 0x7fffffff, what);
  const connectRetryTimeMs = timer(
    config.connectRetryTimeMs,
    fsmTimerDefaults.connectRetryTimeMs,
    1,
    'connectRetryTimeMs',
  );
  const connectRetryMaxMs = timer(
    config.connectRetryMaxMs,
    Math.max(fsmTimerDefaults.connectRetryMaxMs, connectRetryTimeMs),
    connectRetryTimeMs,
    'connectRetryMaxMs',
  );
  const idleHoldTimeMs = timer(config.idleHoldTimeMs, fsmTimerDefaults.idleHoldTimeMs, 1, 'idleHoldTimeMs');
  const idleHoldMaxMs = timer(
    config.idleHoldMaxMs,
    Math.max(fsmTimerDefaults.idleHoldMaxMs, idleHoldTimeMs),
    idleHoldTimeMs,
    'idleHoldMaxMs',
  );

  return Object.freeze({
    localAsn,
    bgpIdentifier: config.bgpIdentifier,
    remoteAsn,
    holdTimeSec,
    keepaliveTimeSec,
    minHoldTimeSec,
    families: Object.freeze([...families]),
    routeRefresh,
    enhancedRouteRefresh,
    addPath: Object.freeze([...addPath]),
    extendedMessage,
    extendedNextHop: Object.freeze([...extendedNextHop]),
    role,
    gracefulRestart: gr,
    longLivedGracefulRestart: llgr,
    requireCapabilities: Object.freeze(requireCapabilities),
    connectRetryTimeMs,
    connectRetryMaxMs,
    idleHoldTimeMs,
    idleHoldMaxMs,
    stableTimeMs: timer(config.stableTimeMs, fsmTimerDefaults.stableTimeMs, 0, 'stableTimeMs'),
    delayOpenTimeMs: timer(config.delayOpenTimeMs, 0, 0, 'delayOpenTimeMs'),
    passiveTcpEstablishment: config.passiveTcpEstablishment ?? false,
    dampPeerOscillations: config.dampPeerOscillations ?? false,
    allowAutomaticStart: config.allowAutomaticStart ?? true,
    sendNotificationWithoutOpen: config.sendNotificationWithoutOpen ?? false,
    collisionDetectEstablishedState: config.collisionDetectEstablishedState ?? false,
  });
}
