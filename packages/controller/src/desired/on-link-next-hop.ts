import { parseAddress } from '../address/ip-range.js';
import type { FamilyName } from '../config/schema.js';
import type { ConnectedAddress, NodeNetwork } from './fabric.js';

/**
 * The next hop a directly connected peer can use for routes of the other family: this node's
 * first global address of `family` on the interface the session runs over, as BIRD (the
 * interface's address of the channel's family) and FRR (the update-source interface's address)
 * choose theirs. The interface is the one holding the session's local address when one is set,
 * else the one whose connected network (longest prefix) holds the peer. Undefined when neither
 * is known or that interface has no address of `family`: the caller then falls back to the
 * Node's address. Pure.
 */
export function onLinkNextHop(
  network: NodeNetwork | undefined,
  peerAddress: string,
  localAddress: string | undefined,
  family: FamilyName,
): string | undefined {
  if (network === undefined) return undefined;
  const via =
    localAddress !== undefined
      ? network.connected.find((c) => c.address === localAddress)?.interface
      : connectedInterface(network.connected, peerAddress);
  if (via === undefined) return undefined;
  const want = family === 'ipv4' ? 4 : 6;
  return network.connected.find((c) => c.interface === via && parseAddress(c.address)?.family === want)
    ?.address;
}

/** The interface whose connected network holds `address`, by longest prefix. */
function connectedInterface(connected: readonly ConnectedAddress[], address: string): string | undefined {
  const a = parseAddress(address);
  if (a === undefined) return undefined;
  const bits = a.family === 4 ? 32 : 128;
  let best: ConnectedAddress | undefined;
  for (const c of connected) {
    const own = parseAddress(c.address);
    // A host prefix (/32, /128) connects no other address.
    if (own === undefined || own.family !== a.family || c.prefixLength >= bits) continue;
    const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - c.prefixLength)) - 1n);
    if ((own.value & mask) !== (a.value & mask)) continue;
    if (best === undefined || c.prefixLength > best.prefixLength) best = c;
  }
  return best?.interface;
}
