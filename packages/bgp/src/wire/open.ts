import type { Capability } from './capabilities/capability.js';

/**
 * OPEN (RFC 4271 §4.2). Capabilities (RFC 5492) are collected from every
 * Capabilities optional parameter, whether the sender packed them into one or spread
 * them over several; other parameter types are kept raw in `otherParameters`.
 */
export interface OpenMessage {
  readonly kind: 'open';
  readonly version: number;
  /** The 2-octet My Autonomous System field (AS_TRANS when the real ASN needs 4 octets). */
  readonly myAsn: number;
  readonly holdTimeSec: number;
  /** BGP Identifier as dotted-quad text. */
  readonly bgpIdentifier: string;
  readonly capabilities: readonly Capability[];
  /** Optional parameters other than Capabilities (type 2), byte-exact. */
  readonly otherParameters?: readonly { readonly type: number; readonly value: Uint8Array }[];
  /**
   * How the optional parameters were laid out: one Capabilities parameter per
   * capability (`perCapability`, what most routers send), all in one parameter
   * (`packed`), and whether RFC 9072 extended lengths were used. Encoding follows
   * it so that a decoded OPEN re-encodes byte-exact; the default is `perCapability`.
   */
  readonly layout?: { readonly grouping: 'perCapability' | 'packed'; readonly extendedLength: boolean };
}

/** The sender's real ASN: the 4-octet AS capability's when present (RFC 6793 §4.1), else My AS. */
export function openAsn(open: OpenMessage): number {
  for (const c of open.capabilities) if (c.kind === 'fourOctetAs') return c.asn;
  return open.myAsn;
}
