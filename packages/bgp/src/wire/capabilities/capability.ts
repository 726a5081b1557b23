/**
 * The Capability union (RFC 5492): one variant per capability we understand,
 * and `unknown` for every other code, kept byte-exact so it can be re-sent or shown.
 * Each variant's codec lives in its own file in this folder.
 */
export type Capability =
  | MultiprotocolCapability
  | RouteRefreshCapability
  | ExtendedNextHopCapability
  | ExtendedMessageCapability
  | RoleCapability
  | GracefulRestartCapability
  | FourOctetAsCapability
  | AddPathCapability
  | EnhancedRouteRefreshCapability
  | LongLivedGracefulRestartCapability
  | FqdnCapability
  | SoftwareVersionCapability
  | UnknownCapability;

/** Code 1, RFC 4760 §8. */
export interface MultiprotocolCapability {
  readonly kind: 'multiprotocol';
  readonly afi: number;
  readonly safi: number;
}

/** Code 2, RFC 2918. */
export interface RouteRefreshCapability {
  readonly kind: 'routeRefresh';
}

/** Code 5, RFC 8950 §3: NLRI of (afi, safi) may carry a next hop of nextHopAfi. */
export interface ExtendedNextHopCapability {
  readonly kind: 'extendedNextHop';
  readonly entries: readonly { readonly afi: number; readonly safi: number; readonly nextHopAfi: number }[];
}

/** Code 6, RFC 8654. */
export interface ExtendedMessageCapability {
  readonly kind: 'extendedMessage';
}

/** Code 9, RFC 9234 §4.1 (role values in `BgpRole`). */
export interface RoleCapability {
  readonly kind: 'role';
  readonly role: number;
}

/** Code 64, RFC 4724 §3 with the RFC 8538 N bit. */
export interface GracefulRestartCapability {
  readonly kind: 'gracefulRestart';
  /** R bit: the sender has restarted. */
  readonly restartState: boolean;
  /** N bit (RFC 8538): the sender supports graceful NOTIFICATION. */
  readonly notification: boolean;
  /** 12-bit restart time in seconds. */
  readonly restartTimeSec: number;
  readonly families: readonly {
    readonly afi: number;
    readonly safi: number;
    /** F bit: forwarding state was preserved. */
    readonly forwardingPreserved: boolean;
  }[];
}

/** Code 65, RFC 6793 §3. */
export interface FourOctetAsCapability {
  readonly kind: 'fourOctetAs';
  readonly asn: number;
}

/** Code 69, RFC 7911 §4. */
export interface AddPathCapability {
  readonly kind: 'addPath';
  readonly families: readonly {
    readonly afi: number;
    readonly safi: number;
    readonly receive: boolean;
    readonly send: boolean;
  }[];
}

/** Code 70, RFC 7313 §3.1. */
export interface EnhancedRouteRefreshCapability {
  readonly kind: 'enhancedRouteRefresh';
}

/** Code 71, RFC 9494 §3. */
export interface LongLivedGracefulRestartCapability {
  readonly kind: 'longLivedGracefulRestart';
  readonly families: readonly {
    readonly afi: number;
    readonly safi: number;
    readonly forwardingPreserved: boolean;
    /** 24-bit long-lived stale time in seconds. */
    readonly staleTimeSec: number;
  }[];
}

/** Code 73, draft-walton-bgp-hostname-capability (sent by FRR). */
export interface FqdnCapability {
  readonly kind: 'fqdn';
  readonly hostname: string;
  readonly domainName: string;
}

/** Code 75, draft-ietf-idr-software-version. */
export interface SoftwareVersionCapability {
  readonly kind: 'softwareVersion';
  readonly version: string;
}

/** Any other code, including pre-standard ones (128 Cisco route refresh), byte-exact. */
export interface UnknownCapability {
  readonly kind: 'unknown';
  readonly code: number;
  readonly value: Uint8Array;
}
