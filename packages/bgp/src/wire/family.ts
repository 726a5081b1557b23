/**
 * The address-family vocabulary, in one place (RFC 4760 §3, IANA "Address Family
 * Numbers" and "SAFI Values"; the numbers themselves are `Afi`/`Safi` in constants.ts).
 */

/** The AFIs the Adj-RIBs and the speaker carry routes for: 1 IPv4, 2 IPv6 (RFC 4760 §5). */
export type UnicastAfi = 1 | 2;

/**
 * An address family: (AFI, SAFI) as Multiprotocol BGP names it (RFC 4760 §8), as
 * OPEN negotiates it and as End-of-RIB and ROUTE-REFRESH name it (RFC 4724 §2,
 * RFC 2918 §3). Any numbers, so that an unknown family can still be named.
 */
export interface Family {
  readonly afi: number;
  readonly safi: number;
}

/** A unicast family by name, as configuration and the speaker's API spell it. */
export type FamilyName = 'ipv4' | 'ipv6';

/** Each {@link FamilyName} as its (AFI, SAFI): IPv4 and IPv6 unicast. */
export const unicastFamilies: Readonly<Record<FamilyName, { readonly afi: UnicastAfi; readonly safi: 1 }>> = {
  ipv4: { afi: 1, safi: 1 },
  ipv6: { afi: 2, safi: 1 },
};
