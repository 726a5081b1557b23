import type { SessionState } from '@anyvip/bgp';
import type { StatusReport } from '../admin/status-report.js';

/** RFC 4271 §8.2.2 state names as routers print them. */
export const stateNames: Readonly<Record<SessionState, string>> = {
  idle: 'Idle',
  connect: 'Connect',
  active: 'Active',
  openSent: 'OpenSent',
  openConfirm: 'OpenConfirm',
  established: 'Established',
};

/**
 * `anyvip status` as text, laid out as `birdc show protocols` is: a header line, then one row
 * per BGP neighbor (Name, Proto, State, Since, Info; State `up` when Established, else `start`,
 * as BIRD says of a protocol still connecting), then the VIPs with their health and whether
 * this node announces them, then the health checks. Times are UTC. Pure.
 */
export function formatStatus(r: StatusReport): string {
  const out: string[] = [];
  const ready = r.ready ? 'ready' : `not ready (${r.notReady.join('; ')})`;
  out.push(
    `anyvip ${r.mode} mode, ${ready}; started ${when(r.startedAt)}, ${r.passes} reconcile passes, last ${when(r.lastPassAt)}`,
  );
  out.push('');
  if (r.peers.length === 0) {
    out.push(
      r.mode === 'table' ? 'No BGP peers: mode table (BIRD or FRR on the node announces).' : 'No BGP peers.',
    );
  } else {
    out.push(
      ...table(
        ['Name', 'Proto', 'State', 'Since', 'Info'],
        r.peers.map((p) => {
          const facts = [
            `AS${p.asn}`,
            ...(p.port !== 179 ? [`port ${p.port}`] : []),
            `prefixes ${p.prefixesSent} sent, ${p.prefixesReceived} received`,
            ...(p.bfd !== undefined ? [`BFD ${p.bfd}`] : []),
            ...(p.state !== 'established' && p.lastDown !== undefined ? [`last down: ${p.lastDown}`] : []),
          ];
          return [
            p.address,
            'BGP',
            p.state === 'established' ? 'up' : 'start',
            when(p.since),
            `${stateNames[p.state]}  ${facts.join(', ')}`,
          ];
        }),
      ),
    );
  }
  out.push('');
  if (r.vips.length === 0) out.push('No VIPs.');
  else {
    out.push(
      ...table(
        ['VIP', 'Health', 'Check', 'Route', 'Bound'],
        r.vips.map((v) => [
          v.prefix,
          v.health,
          v.healthcheck ?? '-',
          v.refused !== undefined
            ? `refused: ${v.refused}`
            : v.withheld !== undefined
              ? 'withheld'
              : v.announced
                ? 'announced'
                : 'withdrawn',
          v.bound ? 'yes' : 'no',
        ]),
      ),
    );
    // Why each withheld VIP is not announced (never announce what is not bound).
    for (const v of r.vips) if (v.withheld !== undefined) out.push(`${v.prefix} withheld: ${v.withheld}`);
  }
  if (r.checks.length > 0) {
    out.push('');
    out.push(
      ...table(
        ['Check', 'State', 'Since', 'Reason'],
        r.checks.map((c) => [c.name, c.state, when(c.since), c.reasons.join('; ') || '-']),
      ),
    );
  }
  return `${out.join('\n')}\n`;
}

/** `2026-12-02 19:40:01` from ISO 8601 (UTC), `-` for none. */
function when(iso: string | undefined): string {
  if (iso === undefined || iso === '') return '-';
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}

/** Left-aligned columns two spaces apart; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
