import { formatPrefix, parsePrefix } from '@anyvip/bgp/wire';
import type { FamilyName } from '../config/schema.js';
import type { DesiredState, LoopbackAddress } from '../desired/types.js';
import { diffKeyed } from '../reconcile/diff.js';
import type { Phase, Sink, SinkChange, SinkFailure, SinkResult } from '../reconcile/sink.js';
import type { AddressEvent, AddressWatch } from './address-watch.js';
import { runIpBatch } from './ip-batch.js';
import type { IpRunner } from './ip-runner.js';

/**
 * Binds VIPs to the loopback device (`/32`, `/128`) so that the node accepts their traffic,
 * through iproute2:
 *
 *     ip addr add 10.250.255.1/32 dev lo label lo:anyvip metric 7717
 *     ip addr add fd00:250::1/128 dev lo metric 7717
 *
 * **Only our own addresses are ever removed.** The marker is the address metric
 * (IFA_RT_PRIORITY, `metric N`), which the kernel keeps with the address for both families
 * and which survives a controller restart. Debian 12's iproute2 (6.1) has no `proto` for
 * addresses (IFA_PROTO needs iproute2 6.3), and address labels exist for IPv4 only, so the
 * `lo:anyvip` label is added for people reading `ip addr`, not relied on. An address that is
 * already there without our metric (configured by hand, by another tool) counts as present and
 * is never touched. A state file was rejected: it goes stale when the kernel state changes
 * behind it (a reboot, an `ip addr flush`).
 *
 * Level-triggered: every pass reads `ip -j addr show dev DEV` and converges, so an address that
 * someone removed is restored by the next pass. With an `AddressWatch` (the kernel's
 * address events), a read is reused while no event has come since it was taken, so a pass over
 * an unchanged device forks nothing; the watch raises a pass on every event, so a removed
 * address is now restored (or its route withdrawn) within milliseconds rather than at the next
 * periodic pass. Commands go in one `ip -force -batch -`.
 * Already-present on add and already-gone on delete count as success (idempotent).
 */
export class LoopbackSink implements Sink {
  readonly name = 'loopback';
  readonly order: number;
  readonly #ip: IpRunner;
  /** Every (device, metric) we have held addresses under, so a reload that changes them cleans up the old. */
  readonly #owners = new Map<string, { device: string; metric: number }>();
  readonly #watch: AddressWatch | undefined;
  /** The last read of each device, with the watch's generation taken before it. */
  readonly #reads = new Map<string, { generation: number; addresses: ObservedAddress[] }>();

  constructor(options: { readonly ip: IpRunner; readonly order?: number; readonly watch?: AddressWatch }) {
    this.#ip = options.ip;
    this.order = options.order ?? 10;
    this.#watch = options.watch;
  }

  async apply(
    desired: DesiredState,
    phase: Phase,
    progress?: (held: ReadonlySet<string>) => void,
  ): Promise<SinkResult> {
    const { device, metric, addresses } = desired.loopback;
    const current = ownerKey(device, metric);
    this.#owners.set(current, { device, metric });
    const changes: SinkChange[] = [];
    const errors: SinkFailure[] = [];
    let applied: string[] = [];

    for (const [key, owner] of [...this.#owners]) {
      const observed = await this.#observe(owner.device);
      if (observed.kind === 'error') {
        errors.push({ key: `device ${owner.device}`, reason: observed.reason });
        continue;
      }
      const ours = new Map<string, LoopbackAddress>();
      /** Every address on the device, ours or not, by host prefix. */
      const present = new Set<string>();
      for (const a of observed.addresses) {
        const prefix = `${a.address}/${a.family === 'ipv4' ? 32 : 128}`;
        present.add(prefix);
        const host = a.prefixLength === (a.family === 'ipv4' ? 32 : 128);
        if (host && a.metric === owner.metric)
          ours.set(prefix, { prefix, address: a.address, family: a.family });
      }
      const want = key === current ? addresses : new Map<string, LoopbackAddress>();
      const diff = diffKeyed(want, ours, () => true);
      const held = new Set(ours.keys());
      // Someone else's address that we want counts as bound (the node accepts its traffic),
      // so the bind gate lets it be announced; it is still never removed.
      for (const prefix of want.keys()) if (present.has(prefix)) held.add(prefix);
      const ops: { line: string; change: SinkChange; add: boolean }[] = [];
      if (phase === 'remove') {
        for (const prefix of diff.remove.keys()) {
          // Ours, but its VIP's check has not decided yet: left as it is until it does (as on
          // reload, see HealthGate). After a planned restart (Graceful Restart, F bit: forwarding
          // goes on) the previous process's addresses keep serving through the first check rounds.
          const vip = key === current ? desired.vips.get(prefix) : undefined;
          if (vip !== undefined && vip.refused === undefined && vip.health === 'unknown') continue;
          ops.push({
            line: `addr del ${prefix} dev ${owner.device}`,
            change: { action: 'remove', key: prefix, vip: prefix, what: `unbound from ${owner.device}` },
            add: false,
          });
        }
      } else {
        for (const [prefix, a] of diff.add) {
          if (present.has(prefix)) continue; // Someone else's address: present, not ours, never touched.
          const label = a.family === 'ipv4' ? ` label ${owner.device}:anyvip` : '';
          ops.push({
            line: `addr add ${prefix} dev ${owner.device}${label} metric ${owner.metric}`,
            change: { action: 'add', key: prefix, vip: prefix, what: `bound to ${owner.device}` },
            add: true,
          });
        }
      }
      // Our own changes make the last read stale (their events will say so too, later).
      if (ops.length > 0) this.#reads.delete(owner.device);
      // `ip` starts first (the kernel gets to work), then the early reports begin.
      // One command per distinct address: independent, so a long batch may run as two `ip`s.
      const batch = runIpBatch(
        this.#ip,
        ops.map((o) => o.line),
        { parallel: BATCH_PROCESSES },
      );
      const stopTelling =
        key === current && progress !== undefined && ops.length >= EARLY_BATCH_LINES
          ? this.#tellBound(owner.device, held, ops, progress)
          : undefined;
      let failed: ReadonlyMap<number, string>;
      try {
        failed = await batch;
      } finally {
        stopTelling?.();
      }
      ops.forEach((op, i) => {
        const reason = failed.get(i);
        const benign = reason !== undefined && (op.add ? alreadyThere(reason) : alreadyGone(reason));
        if (reason !== undefined && !benign) {
          errors.push({ key: op.change.key, vip: op.change.key, reason: `ip ${op.line}: ${reason}` });
          return;
        }
        changes.push(op.change);
        if (op.add) held.add(op.change.key);
        else held.delete(op.change.key);
      });
      if (key === current) applied = [...held].sort();
      else if (held.size === 0) this.#owners.delete(key);
    }
    return { changes, errors, applied };
  }

  /**
   * While a long batch of additions runs: tells `progress` what is held for certain so far,
   * at once (what was held before: the sinks after this one may start, the BGP session
   * opens) and then as the kernel reports each address of the batch added (the address watch's
   * events), at most every EARLY_INTERVAL_MS. An address counts only once the kernel has
   * reported it: the bind gate's rule (announce only what is bound) holds for the early
   * announcements too. Returns the function that stops it.
   */
  #tellBound(
    device: string,
    before: ReadonlySet<string>,
    ops: readonly { readonly change: SinkChange; readonly add: boolean }[],
    progress: (held: ReadonlySet<string>) => void,
  ): (() => void) | undefined {
    const watch = this.#watch;
    if (watch?.onAddress === undefined) return undefined;
    const adding = new Set<string>();
    for (const op of ops) if (op.add) adding.add(op.change.key);
    const held = new Set(before);
    let grown = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tell = (): void => {
      timer = undefined;
      if (!grown) return;
      grown = false;
      progress(new Set(held));
    };
    const unsubscribe = watch.onAddress((e: AddressEvent) => {
      if (e.device !== device || e.deleted) return;
      const prefix = adding.has(e.prefix) ? e.prefix : canonical(e.prefix);
      if (prefix === undefined || !adding.has(prefix) || held.has(prefix)) return;
      held.add(prefix);
      grown = true;
      timer ??= setTimeout(tell, EARLY_INTERVAL_MS);
    });
    progress(new Set(held));
    return () => {
      unsubscribe();
      if (timer !== undefined) clearTimeout(timer);
    };
  }

  async #observe(
    device: string,
  ): Promise<{ kind: 'ok'; addresses: ObservedAddress[] } | { kind: 'error'; reason: string }> {
    // Taken before the read: an event during the read leaves the read stale.
    const generation = this.#watch?.generation(device);
    const last = this.#reads.get(device);
    if (generation !== undefined && last?.generation === generation)
      return { kind: 'ok', addresses: last.addresses };
    this.#reads.delete(device);
    const r = await this.#ip.run(['-j', 'addr', 'show', 'dev', device]);
    if (r.code !== 0) return { kind: 'error', reason: `ip -j addr show dev ${device}: ${r.stderr.trim()}` };
    try {
      const addresses = parseAddrJson(r.stdout);
      if (generation !== undefined) this.#reads.set(device, { generation, addresses });
      return { kind: 'ok', addresses };
    } catch (err) {
      return {
        kind: 'error',
        reason: `cannot read ip -j addr output: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
  }
}

/** A batch with this many additions reports its progress (see `#tellBound`); a small one is over in milliseconds. */
const EARLY_BATCH_LINES = 256;
/**
 * At most one progress report per this long: each costs the later sinks a look at the whole
 * world (20-60 ms at 10,000 VIPs on a loaded machine), taken from the CPU the kernel's batch
 * and the router share in a lab. The last routes do not wait for it: the add phase that
 * follows the batch announces what is left at once.
 */
const EARLY_INTERVAL_MS = 200;

/**
 * How many `ip -batch` processes a long batch of additions or removals is split into (see
 * runIpBatch): two where the host has two CPUs or more (more gained nothing on 2 cores, as
 * the kernel serialises the commands), one otherwise.
 */
const BATCH_PROCESSES = Math.min(2, process.getBuiltinModule('node:os').availableParallelism());

/** `ip`'s form of a host prefix in ours (RFC 5952 for IPv6); undefined if it is not one. */
function canonical(prefix: string): string | undefined {
  try {
    return formatPrefix(parsePrefix(prefix));
  } catch {
    return undefined;
  }
}

function ownerKey(device: string, metric: number): string {
  return `${device}|${metric}`;
}

interface AddrInfoJson {
  family?: string;
  local?: string;
  prefixlen?: number;
  metric?: number;
}

/** One address as `ip -j addr show` lists it, canonical. */
export interface ObservedAddress {
  /** `10.250.255.1`, `fd00:250::1` (RFC 5952). */
  readonly address: string;
  readonly prefixLength: number;
  readonly family: FamilyName;
  /** IFA_RT_PRIORITY, our marker; undefined when not set. */
  readonly metric: number | undefined;
}

/** Addresses from `ip -j addr show dev DEV`. */
export function parseAddrJson(stdout: string): ObservedAddress[] {
  const text = stdout.trim();
  if (text === '') return [];
  const links = JSON.parse(text) as { addr_info?: AddrInfoJson[] }[];
  const out: ObservedAddress[] = [];
  for (const link of links) {
    for (const a of link.addr_info ?? []) {
      if ((a.family !== 'inet' && a.family !== 'inet6') || a.local === undefined || a.prefixlen === undefined)
        continue;
      let host: string;
      try {
        host = formatPrefix(parsePrefix(a.local));
      } catch {
        continue;
      }
      out.push({
        address: host.slice(0, host.indexOf('/')),
        prefixLength: a.prefixlen,
        family: a.family === 'inet' ? 'ipv4' : 'ipv6',
        metric: a.metric,
      });
    }
  }
  return out;
}

function alreadyThere(reason: string): boolean {
  return /File exists|already assigned/i.test(reason);
}

function alreadyGone(reason: string): boolean {
  return /Cannot assign requested address|Address not found|No such process/i.test(reason);
}
