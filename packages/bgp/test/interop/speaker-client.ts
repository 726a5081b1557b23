/**
 * The test side of speaker-driver.ts: starts our speaker inside a namespace and talks
 * to it in JSON Lines (commands in, events out). Shared by the speaker-*.interop tests,
 * which differ only in the router they face.
 */
import { resolve } from 'node:path';
import { type DaemonRoute, type Family, type Lab, type ManagedProcess, waitUntil } from './support/index.js';

const pkg = resolve(import.meta.dirname, '../..');

/** One line the driver prints. */
export interface EventLine {
  event: string;
  [key: string]: unknown;
}

/** A received route as the driver's `receivedRoutes` command prints it. */
export interface ReceivedRoute {
  prefix: string;
  nextHop: string;
  origin?: string;
  asPath?: { type: string; asns: number[] }[];
  communities?: string[];
  largeCommunities?: string[];
  med?: number;
}

/** Our speaker (local AS `asn`, router id `routerId`) running in `node`, listening on [::]:179. */
export class SpeakerClient {
  readonly process: ManagedProcess;

  private constructor(process: ManagedProcess) {
    this.process = process;
  }

  static async start(
    lab: Lab,
    node: string,
    asn: number,
    routerId: string,
    options: { readonly logs?: boolean } = {},
  ): Promise<SpeakerClient> {
    const proc = await lab.spawn(
      node,
      process.execPath,
      [
        '--no-warnings',
        '--import',
        resolve(pkg, 'scripts/ts-resolve.mjs'),
        resolve(pkg, 'test/interop/speaker-driver.ts'),
        String(asn),
        routerId,
      ],
      {
        label: 'speaker',
        ...(options.logs === true ? { env: { ...process.env, ANYVIP_DRIVER_LOG: '1' } } : {}),
      },
    );
    const client = new SpeakerClient(proc);
    await client.nextEvent((e) => e.event === 'ready', 'driver ready', 20_000);
    await client.command({ cmd: 'listen', port: 179, host: '::' });
    return client;
  }

  /** Sends a command to the driver and waits for its reply. */
  async command(c: Record<string, unknown>): Promise<EventLine> {
    const since = this.process.mark();
    this.process.write(`${JSON.stringify(c)}\n`);
    const reply = await this.process.waitForJsonLine<EventLine>(
      (v) => {
        const e = v as EventLine;
        return (e.event === 'reply' && e.cmd === c.cmd) || e.event === 'command-error';
      },
      { timeoutMs: 10_000, since, what: `reply to ${String(c.cmd)}` },
    );
    if (reply.event === 'command-error') throw new Error(`driver: ${String(reply.message)}`);
    return reply;
  }

  /** The first event (after `since`, if given) that `pred` accepts. */
  nextEvent(
    pred: (e: EventLine) => boolean,
    what: string,
    timeoutMs = 30_000,
    since?: number,
  ): Promise<EventLine> {
    return this.process.waitForJsonLine<EventLine>((v) => pred(v as EventLine), {
      timeoutMs,
      what,
      ...(since !== undefined ? { since } : {}),
    });
  }

  /** Routes our speaker holds from `peer`. */
  async received(peer: string, family: Family): Promise<ReceivedRoute[]> {
    const reply = await this.command({ cmd: 'receivedRoutes', peer, family });
    return reply.routes as ReceivedRoute[];
  }

  /**
   * Waits until the routes from `peer` whose AS path is exactly [`originAsn`] are
   * `prefixes`; routes a router reflects back to us (our AS behind its own) are left out.
   */
  async waitReceived(
    peer: string,
    family: Family,
    originAsn: number,
    prefixes: string[],
  ): Promise<ReceivedRoute[]> {
    const own = (rs: ReceivedRoute[]): ReceivedRoute[] =>
      rs.filter((r) => JSON.stringify(flatAsPath(r)) === JSON.stringify([originAsn]));
    const rs = await waitForPrefixes(
      async () => own(await this.received(peer, family)),
      prefixes,
      `routes from ${peer}`,
    );
    return rs;
  }
}

/** The ASNs of a received route's AS path, segments flattened. */
export function flatAsPath(r: ReceivedRoute | undefined): number[] {
  return (r?.asPath ?? []).flatMap((s) => s.asns);
}

/** Polls `fetch` until the set of prefixes it returns is exactly `prefixes`. */
export function waitForPrefixes<T extends { prefix: string }>(
  fetch: () => Promise<T[]>,
  prefixes: readonly string[],
  what: string,
  intervalMs = 150,
): Promise<T[]> {
  const want = JSON.stringify([...prefixes].sort());
  return waitUntil(fetch, (rs) => JSON.stringify([...new Set(rs.map((r) => r.prefix))].sort()) === want, {
    timeoutMs: 15_000,
    intervalMs,
    what: `${what}: ${want}`,
  });
}

/** Polls a router's learned routes until their prefixes are exactly `prefixes`. */
export function waitDaemonRoutes(
  daemon: { routes(family: Family): Promise<DaemonRoute[]> },
  name: string,
  family: Family,
  prefixes: readonly string[],
): Promise<DaemonRoute[]> {
  return waitForPrefixes(() => daemon.routes(family), prefixes, `${name} ${family} routes`);
}
