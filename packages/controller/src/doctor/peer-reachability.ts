import { Socket } from 'node:net';
import { assertNever } from '../assert-never.js';
import type { Finding } from './finding.js';
import type { PeerTarget } from './host-facts.js';

/** How a TCP connect to a peer ended. */
export type ConnectOutcome =
  | { readonly kind: 'open'; readonly ms: number }
  | { readonly kind: 'refused' }
  | { readonly kind: 'timeout'; readonly ms: number }
  | { readonly kind: 'failed'; readonly reason: string };

/** Turns each peer's connect outcome into a finding. Pure. */
export function evaluatePeerReachability(
  results: readonly { readonly peer: PeerTarget; readonly outcome: ConnectOutcome | undefined }[],
): Finding[] {
  return results.map(({ peer, outcome }) => {
    const id = `peer.${peer.address}`;
    const where = `${peer.address} port ${peer.port}`;
    if (peer.passive || outcome === undefined)
      return {
        id,
        severity: 'info',
        seen: `${where}: passive peer, not probed`,
        why: 'the peer connects to us',
      };
    switch (outcome.kind) {
      case 'open':
        return {
          id,
          severity: 'ok',
          seen: `${where}: TCP connect in ${outcome.ms} ms`,
          why: 'the router accepts connections',
        };
      case 'refused':
        return {
          id: `${id}.refused`,
          severity: 'error',
          seen: `${where}: connection refused`,
          why: 'nothing listens there: BGP not running on the router, a wrong address, or the router only accepts configured neighbors on another address',
          fix: `check the router's neighbor statement for this node's address; ip route get ${peer.address}`,
        };
      case 'timeout':
        return {
          id: `${id}.timeout`,
          severity: 'error',
          seen: `${where}: no answer within ${outcome.ms} ms`,
          why: 'packets are dropped on the way: routing, a firewall, or GTSM/TTL on a multihop session',
          fix: `ip route get ${peer.address}; iptables -S | grep 179; nc -vz ${peer.address} ${peer.port}`,
        };
      case 'failed':
        return {
          id: `${id}.failed`,
          severity: 'error',
          seen: `${where}: ${outcome.reason}`,
          why: 'no route or no usable source address',
          fix: `ip route get ${peer.address}`,
        };
      default:
        return assertNever(outcome);
    }
  });
}

/** Opens a TCP connection and closes it at once: the reading edge of the peer check. */
export function probeTcp(host: string, port: number, timeoutMs: number): Promise<ConnectOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (o: ConnectOutcome): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(o);
    };
    const timer = setTimeout(() => done({ kind: 'timeout', ms: timeoutMs }), timeoutMs);
    socket.once('connect', () => done({ kind: 'open', ms: Math.round(performance.now() - started) }));
    socket.once('error', (err: NodeJS.ErrnoException) =>
      done(
        err.code === 'ECONNREFUSED'
          ? { kind: 'refused' }
          : { kind: 'failed', reason: err.code ?? err.message },
      ),
    );
    socket.connect({ host, port });
  });
}
