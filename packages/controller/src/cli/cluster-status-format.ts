import { assertNever } from '../assert-never.js';
import type { ClusterStatus } from './cluster-status.js';
import { stateNames, table } from './status-format.js';

/**
 * `anyvip status --cluster` as text: one table of every node's BGP sessions (as
 * `cilium bgp peers` or `birdc show protocols` print them: node, peer, address, AS, state,
 * for how long, prefixes sent and received, BFD), then one of the VIPs with the nodes that
 * announce each and to which peers. A node whose anyvip is not alive is marked: `(down)` when
 * its node lease has expired or is gone (it died, or stopped), `(stale)` when leases could
 * not be read and its status is old; what it says may no longer be true. Pure.
 */
export function formatClusterStatus(c: ClusterStatus): string {
  const nowMs = Date.parse(c.readAt);
  const out: string[] = [];
  const stale = c.nodes.filter((n) => n.liveness === 'old');
  const down = c.nodes.filter((n) => n.liveness === 'expired' || n.liveness === 'absent');
  const markOf = new Map(c.nodes.map((n) => [n.node, nodeMark(n.liveness)]));
  const up = c.sessions.filter((s) => s.state === 'established').length;
  const counts = [
    ...(down.length > 0 ? [`${down.length} down`] : []),
    ...(stale.length > 0 ? [`${stale.length} stale`] : []),
  ];
  out.push(
    `anyvip cluster: ${c.nodes.length} nodes${counts.length > 0 ? ` (${counts.join(', ')})` : ''}, ` +
      `${c.sessions.length} sessions (${up} Established), ${c.vips.length} VIPs; read ${c.readAt.replace(/\.\d+Z$/, 'Z')}`,
  );
  out.push('');
  if (c.nodes.length === 0) {
    out.push('No AnyvipNodeStatus objects: is anyvip running in Kubernetes mode, with the CRDs installed?');
    return `${out.join('\n')}\n`;
  }
  const mark = (node: string, isStale: boolean): string => {
    const m = markOf.get(node) ?? '';
    return isStale && m !== '' ? `${node} ${m}` : node;
  };
  if (c.sessions.length === 0) out.push('No BGP sessions.');
  else
    out.push(
      ...table(
        ['NODE', 'PEER', 'ADDRESS', 'ASN', 'STATE', 'SINCE', 'SENT', 'RECV', 'BFD'],
        c.sessions.map((s) => [
          mark(s.node, s.stale),
          s.peer,
          s.peerAddress,
          String(s.peerASN),
          stateNames[s.state] ?? s.state,
          s.since === undefined ? '-' : formatAge(nowMs - Date.parse(s.since)),
          String(s.prefixesSent),
          String(s.prefixesReceived),
          s.bfd,
        ]),
      ),
    );
  // Why a session is down, where it says.
  for (const s of c.sessions)
    if (s.state !== 'established' && s.lastError !== undefined)
      out.push(`${s.node} ${s.peerAddress}: last error: ${s.lastError}`);
  out.push('');
  if (c.vips.length === 0) out.push('No VIPs.');
  else {
    out.push(
      ...table(
        ['VIP', 'SERVICE', 'ANNOUNCED-BY', 'PEERS'],
        c.vips.map((v) => [
          v.address,
          v.service ?? '-',
          v.announcedBy.length === 0
            ? '-'
            : v.announcedBy.map((n) => mark(n, v.staleNodes.includes(n))).join(','),
          v.peers.length === 0 ? '-' : v.peers.join(','),
        ]),
      ),
    );
    // Why a VIP no node announces is not announced, per node.
    for (const v of c.vips)
      if (v.announcedBy.length === 0 && v.reasons.length > 0)
        out.push(`${v.address}${v.service === undefined ? '' : ` ${v.service}`}: ${groupReasons(v.reasons)}`);
  }
  if (down.length > 0) {
    out.push('');
    out.push(
      `(down): no live anyvip node lease in ${c.liveness.namespace}; its anyvip died, stopped or cannot reach the API server: ` +
        down
          .map((n) =>
            n.liveness === 'absent'
              ? `${n.node} (no lease: stopped)`
              : `${n.node} (lease last renewed ${n.leaseRenewTime ?? 'never'})`,
          )
          .join(', '),
    );
  }
  if (c.liveness.source === 'status-age') {
    out.push('');
    out.push(
      `liveness from status age (cannot read node leases in ${c.liveness.namespace}: ${c.liveness.reason})`,
    );
  }
  if (stale.length > 0) {
    out.push('');
    out.push(
      `(stale): not updated for more than ${c.staleAfterSeconds} s; anyvip on that node has stopped or cannot write its status: ` +
        stale.map((n) => `${n.node} (last ${n.updatedAt ?? 'never'})`).join(', '),
    );
  }
  return `${out.join('\n')}\n`;
}

/** An age as kubectl prints one: `42s`, `5m12s`, `3h12m`, `2d3h`. */
export function formatAge(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${m % 60}m`;
  return `${Math.floor(h / 24)}d${h % 24}h`;
}

/** `node: reason` lines with the nodes that give the same reason together: `a, b: reason; c: other`. */
function groupReasons(reasons: readonly string[]): string {
  const byReason = new Map<string, string[]>();
  for (const r of reasons) {
    const at = r.indexOf(': ');
    const node = r.slice(0, at);
    const why = r.slice(at + 2);
    const nodes = byReason.get(why);
    if (nodes === undefined) byReason.set(why, [node]);
    else nodes.push(node);
  }
  return [...byReason].map(([why, nodes]) => `${nodes.join(', ')}: ${why}`).join('; ');
}

/** The mark a node that is not alive gets in the tables. */
function nodeMark(liveness: ClusterStatus['nodes'][number]['liveness']): string {
  switch (liveness) {
    case 'expired':
    case 'absent':
      return '(down)';
    case 'old':
      return '(stale)';
    case 'live':
    case 'fresh':
      return '';
    default:
      return assertNever(liveness);
  }
}
