import { formatPrefix, parsePrefix } from '@anyvip/bgp/wire';
import type { DesiredState } from '../desired/types.js';
import { diffKeyed } from '../reconcile/diff.js';
import type { Phase, Sink, SinkChange, SinkFailure, SinkResult } from '../reconcile/sink.js';
import { runIpBatch } from './ip-batch.js';
import type { IpRunner } from './ip-runner.js';

/**
 * Routing-table mode (kube-vip's "routing table" mode): each healthy VIP becomes a kernel route
 *
 *     ip route replace 10.250.255.1/32 dev lo table 198 proto 248
 *
 * and a BIRD or FRR on the node redistributes table 198 into BGP (examples/table-mode/). A VIP
 * that goes down loses its route at once, so the daemon withdraws it.
 *
 * **Ownership:** the routes of table T with protocol P are ours, all of them; nothing else is
 * ever touched. Level-triggered: each pass lists `ip -j -4/-6 route show table T proto P`,
 * replaces what is missing or on the wrong device, and deletes what is not desired. A reload
 * that changes the table or protocol empties the old pair. Missing-on-delete and a table that
 * does not exist yet count as success.
 */
export class RouteTableSink implements Sink {
  readonly name = 'routeTable';
  readonly order: number;
  readonly #ip: IpRunner;
  /** Every (table, protocol) we have written routes under. */
  readonly #owners = new Map<string, { table: number; protocol: number }>();

  constructor(options: { readonly ip: IpRunner; readonly order?: number }) {
    this.#ip = options.ip;
    this.order = options.order ?? 30;
  }

  async apply(desired: DesiredState, phase: Phase): Promise<SinkResult> {
    const { table, protocol, device, routes } = desired.table;
    const current = `${table}|${protocol}`;
    // A table that was never written to and has nothing desired need not be listed.
    if (routes.size > 0 || this.#owners.size > 0) this.#owners.set(current, { table, protocol });
    const changes: SinkChange[] = [];
    const errors: SinkFailure[] = [];
    let applied: string[] = [];

    for (const [key, owner] of [...this.#owners]) {
      const observed = await this.#observe(owner.table, owner.protocol);
      if (observed.kind === 'error') {
        errors.push({ key: `table ${owner.table}`, reason: observed.reason });
        continue;
      }
      const want = new Map<string, string>();
      if (key === current) for (const prefix of routes.keys()) want.set(prefix, device);
      const diff = diffKeyed(want, observed.routes);
      const held = new Map(observed.routes);
      const ops: { line: string; change: SinkChange; device: string | undefined }[] = [];
      const where = `table ${owner.table} proto ${owner.protocol}`;
      if (phase === 'remove') {
        for (const [prefix, dev] of diff.remove) {
          ops.push({
            line: `route del ${prefix}${dev === '' ? '' : ` dev ${dev}`} ${where}`,
            change: {
              action: 'remove',
              key: prefix,
              vip: prefix,
              what: `route removed from table ${owner.table}`,
            },
            device: undefined,
          });
        }
      } else {
        for (const [prefix, dev] of diff.add) {
          ops.push({
            line: `route replace ${prefix} dev ${dev} ${where}`,
            change: {
              action: 'add',
              key: prefix,
              vip: prefix,
              what: `route written to table ${owner.table}`,
            },
            device: dev,
          });
        }
        for (const [prefix, { to }] of diff.change) {
          ops.push({
            line: `route replace ${prefix} dev ${to} ${where}`,
            change: {
              action: 'change',
              key: prefix,
              vip: prefix,
              what: `route moved to ${to} in table ${owner.table}`,
            },
            device: to,
          });
        }
      }
      const failed = await runIpBatch(
        this.#ip,
        ops.map((o) => o.line),
      );
      ops.forEach((op, i) => {
        const reason = failed.get(i);
        if (reason !== undefined && !(op.device === undefined && alreadyGone(reason))) {
          errors.push({ key: op.change.key, vip: op.change.key, reason: `ip ${op.line}: ${reason}` });
          return;
        }
        changes.push(op.change);
        if (op.device === undefined) held.delete(op.change.key);
        else held.set(op.change.key, op.device);
      });
      if (key === current) applied = [...held.keys()].sort();
      else if (held.size === 0) this.#owners.delete(key);
    }
    return { changes, errors, applied };
  }

  async #observe(
    table: number,
    protocol: number,
  ): Promise<{ kind: 'ok'; routes: Map<string, string> } | { kind: 'error'; reason: string }> {
    const routes = new Map<string, string>();
    for (const family of ['-4', '-6'] as const) {
      const args = ['-j', family, 'route', 'show', 'table', String(table), 'proto', String(protocol)];
      const r = await this.#ip.run(args);
      if (r.code !== 0) {
        // An empty table does not exist until a route is added to it.
        if (/table does not exist/i.test(r.stderr)) continue;
        return { kind: 'error', reason: `ip ${args.join(' ')}: ${r.stderr.trim()}` };
      }
      try {
        for (const [prefix, dev] of parseRouteJson(r.stdout, family === '-4' ? 32 : 128))
          routes.set(prefix, dev);
      } catch (err) {
        return {
          kind: 'error',
          reason: `cannot read ip -j route output: ${err instanceof Error ? err.message : String(err)}`,
        };
      }
    }
    return { kind: 'ok', routes };
  }
}

/** `[prefix, device]` pairs from `ip -j route show`; a host route's `dst` has no length. */
export function parseRouteJson(stdout: string, hostLength: 32 | 128): [string, string][] {
  const text = stdout.trim();
  if (text === '') return [];
  const rows = JSON.parse(text) as { dst?: string; dev?: string }[];
  const out: [string, string][] = [];
  for (const row of rows) {
    if (row.dst === undefined || row.dst === 'default') continue;
    const dst = row.dst.includes('/') ? row.dst : `${row.dst}/${hostLength}`;
    let prefix: string;
    try {
      prefix = formatPrefix(parsePrefix(dst));
    } catch {
      continue;
    }
    out.push([prefix, row.dev ?? '']);
  }
  return out;
}

function alreadyGone(reason: string): boolean {
  return /No such process|table does not exist/i.test(reason);
}
