import { type ChildProcess, spawn } from 'node:child_process';

// node:fs's callback API through getBuiltinModule, not node:fs/promises: fs/promises brings
// readline and the REPL history along, ~1.2 MB of RSS in every process.
const readFile = process
  .getBuiltinModule('node:util')
  .promisify(process.getBuiltinModule('node:fs').readFile);
const { existsSync } = process.getBuiltinModule('node:fs');

/**
 * Says whether addresses read from the kernel earlier still describe it, so the loopback sink
 * can skip `ip -j addr show` on a pass when nothing changed since its last read.
 */
export interface AddressWatch {
  /**
   * A number that changes whenever an address on `device` may have been added or removed since
   * the watch subscribed; undefined while the watch cannot vouch for that (not yet subscribed,
   * its subscription lost, closed). A caller takes the generation *before* it reads the kernel,
   * and may reuse what it read for as long as the generation stays the same. Asking for a
   * device also makes its events raise `changed`.
   */
  generation(device: string): number | undefined;
  /** Ends the subscription; `generation()` is undefined from then on. */
  close(): void;
  /**
   * Tells `listener` about each address the kernel reports added to or removed from a device,
   * as it reports it (an RTM_NEWADDR / RTM_DELADDR notification: the kernel sends it from the
   * same call that adds the address, under the same lock), until the returned function is
   * called. Events may be missed (before the subscription, after the child died): a listener
   * learns only what certainly happened, never all of it. Optional: a watch without it reports
   * nothing.
   */
  onAddress?(listener: (event: AddressEvent) => void): () => void;
}

/** One address added to or removed from a device, as the kernel reported it. */
export interface AddressEvent {
  readonly device: string;
  /** `10.250.0.1/32`, `fd00:250::1/128`, as `ip` prints it. */
  readonly prefix: string;
  readonly deleted: boolean;
}

export interface IpMonitorWatchOptions {
  /** Default `ip` (from PATH), as the IpRunner. */
  readonly binary?: string;
  /** Watch this network namespace (`ip -n NS`), as the IpRunner. */
  readonly netns?: string;
  /**
   * Called on every address event on a device someone asked `generation` for, and on output it
   * cannot attribute (the reconcile loop coalesces them into one pass).
   */
  readonly changed: () => void;
  /** Give up on a child whose subscription is not seen within this long. Default 5 s. */
  readonly subscribeTimeoutMs?: number;
  /** After a child ends, start no other for this long. Default 10 s. */
  readonly restartDelayMs?: number;
  /**
   * util-linux `setpriv`, which starts the child with a parent-death signal (see
   * {@link IpMonitorWatch}); default the first of /usr/bin/setpriv, /bin/setpriv that exists;
   * `false`: start `ip` directly (the process exit hook is then the only safety).
   */
  readonly setpriv?: string | false;
}

/** Where Debian's util-linux (essential, so in every Debian image, slim included) puts setpriv. */
const SETPRIV_PATHS = ['/usr/bin/setpriv', '/bin/setpriv'];

/** rtnetlink multicast groups for IPv4 and IPv6 address changes (linux/rtnetlink.h). */
const RTMGRP_IPV4_IFADDR = 0x10;
const RTMGRP_IPV6_IFADDR = 0x100;
const POLL_MS = 20;

/**
 * The kernel's address events through one long-lived `ip -o monitor address` child: an idle
 * controller then forks nothing to confirm that its VIPs are still on lo (it forked
 * `ip -j addr show` twice every reconcile interval before, most of its idle CPU).
 *
 * Trust starts only once the child's rtnetlink socket is seen subscribed to both address groups
 * in `/proc/PID/net/netlink` (the socket's port id is the child's PID, and the file shows the
 * child's own network namespace, so `-n NS` works too): an event between the spawn and the
 * subscription would otherwise be missed. Events are counted by device (`[Deleted ]N: DEV …`),
 * so addresses coming and going elsewhere (pods' veths on a busy node) raise no pass; output it
 * cannot attribute, on stdout or stderr (ENOBUFS when the kernel dropped events), counts as a
 * change on every device. If the child ends, trust ends with it and the sink
 * reads on every pass again until a new child has subscribed (at most one start per
 * `restartDelayMs`). Without `ip`, or without /proc, the watch never vouches and nothing changes
 * from before.
 *
 * **The child never outlives the controller.** Nothing reads from `ip monitor`'s stdin, and it
 * only notices a closed stdout on its next write (the next address event, which on an idle
 * node may never come), so on its own it survived every exit that skipped `close()` (a fatal
 * start error, a second SIGTERM, an uncaught exception, SIGKILL or the OOM killer) as an
 * orphan with PPID 1. Two guards, from the strongest:
 * - it is started as `setpriv --pdeathsig KILL -- ip …`: the kernel sends it SIGKILL when the
 *   controller's main thread ends, however that happens (PR_SET_PDEATHSIG survives the
 *   `exec` into `ip`, which is not setuid; libuv forks from the main thread, which lives as
 *   long as the process). `setpriv` execs, so the child's PID stays the netlink port id the
 *   subscription check looks for;
 * - a synchronous `exit` hook kills it on every exit Node runs its hooks for (`process.exit`,
 *   an uncaught exception, the loop running dry), for hosts without `setpriv`.
 */
export class IpMonitorWatch implements AddressWatch {
  readonly #binary: string;
  readonly #prefix: readonly string[];
  readonly #changed: () => void;
  readonly #subscribeTimeoutMs: number;
  readonly #restartDelayMs: number;
  #child: ChildProcess | undefined;
  #subscribed = false;
  /** Changes every device saw: subscription gained or lost, output that names no device. */
  #generation = 0;
  /** Events by device, for the devices someone asked about. */
  readonly #byDevice = new Map<string, number>();
  /** An event line not yet ended by a newline. */
  #partial = '';
  #closed = false;
  #notBeforeMs = Number.NEGATIVE_INFINITY;
  readonly #listeners = new Set<(event: AddressEvent) => void>();
  readonly #setpriv: string | undefined;
  /** Kills the running child when the process exits (installed while a child runs). */
  readonly #onExit = (): void => {
    this.#child?.kill('SIGKILL');
  };

  constructor(options: IpMonitorWatchOptions) {
    this.#binary = options.binary ?? 'ip';
    this.#prefix = options.netns === undefined ? [] : ['-n', options.netns];
    this.#changed = options.changed;
    this.#subscribeTimeoutMs = options.subscribeTimeoutMs ?? 5000;
    this.#restartDelayMs = options.restartDelayMs ?? 10_000;
    this.#setpriv =
      options.setpriv === false ? undefined : (options.setpriv ?? SETPRIV_PATHS.find((p) => existsSync(p)));
  }

  generation(device: string): number | undefined {
    if (this.#closed) return undefined;
    if (!this.#byDevice.has(device)) this.#byDevice.set(device, 0);
    if (this.#child === undefined) this.#start();
    // Both counts only grow, so the sum moves whenever either does.
    return this.#subscribed ? this.#generation + (this.#byDevice.get(device) as number) : undefined;
  }

  onAddress(listener: (event: AddressEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#closed = true;
    this.#listeners.clear();
    const child = this.#child;
    this.#ended(child);
    child?.kill('SIGKILL');
  }

  #start(): void {
    if (performance.now() < this.#notBeforeMs) return;
    this.#notBeforeMs = performance.now() + this.#restartDelayMs;
    const ip = [this.#binary, ...this.#prefix, '-o', 'monitor', 'address'];
    const [file, ...args] =
      this.#setpriv === undefined ? ip : [this.#setpriv, '--pdeathsig', 'KILL', '--', ...ip];
    let child: ChildProcess;
    try {
      child = spawn(file as string, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch {
      return;
    }
    this.#child = child;
    process.on('exit', this.#onExit);
    this.#partial = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      if (this.#child === child) this.#lines(chunk.toString('utf8'));
    });
    child.stderr?.on('data', () => {
      if (this.#child !== child) return;
      this.#generation++;
      this.#changed();
    });
    child.on('error', () => this.#ended(child));
    child.on('exit', () => this.#ended(child));
    // The watch never keeps the process alive: the runtime closes it on stop, and a forgotten
    // one must not hold an exiting controller.
    child.unref();
    for (const stream of [child.stdout, child.stderr]) (stream as { unref?: () => void } | null)?.unref?.();
    void this.#awaitSubscription(child);
  }

  #lines(text: string): void {
    const lines = (this.#partial + text).split('\n');
    this.#partial = lines.pop() ?? '';
    let changed = false;
    for (const line of lines) {
      if (line === '') continue;
      if (this.#listeners.size > 0) this.#tell(line);
      const device = /^(?:Deleted )?\d+: ([^\s@:]+)/.exec(line)?.[1];
      const count = device === undefined ? undefined : this.#byDevice.get(device);
      if (device === undefined) {
        this.#generation++;
        changed = true;
      } else if (count !== undefined) {
        this.#byDevice.set(device, count + 1);
        changed = true;
      }
    }
    if (changed) this.#changed();
  }

  /** `[Deleted ]N: DEV    inet[6] ADDR/LEN …` to the address listeners. */
  #tell(line: string): void {
    const m = /^(Deleted )?\d+: ([^\s@:]+)\s+inet6? (\S+\/\d+)/.exec(line);
    // An IPv6 address still in duplicate address detection (or failed it) is not usable yet.
    if (m === null || (m[1] === undefined && / (?:tentative|dadfailed) /.test(line))) return;
    const event = { device: m[2] as string, prefix: m[3] as string, deleted: m[1] !== undefined };
    for (const l of this.#listeners) l(event);
  }

  async #awaitSubscription(child: ChildProcess): Promise<void> {
    const deadline = performance.now() + this.#subscribeTimeoutMs;
    while (this.#child === child && child.pid !== undefined) {
      if (await subscribed(child.pid)) {
        if (this.#child !== child) return;
        this.#subscribed = true;
        this.#generation++;
        return;
      }
      if (performance.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, POLL_MS).unref());
    }
    if (this.#child === child) {
      this.#ended(child);
      child.kill('SIGKILL');
    }
  }

  #ended(child: ChildProcess | undefined): void {
    if (child === undefined || this.#child !== child) return;
    process.off('exit', this.#onExit);
    this.#child = undefined;
    this.#subscribed = false;
    this.#generation++;
  }
}

/** Whether process `pid` holds an rtnetlink socket subscribed to both address groups. */
async function subscribed(pid: number): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/net/netlink`, 'utf8');
  } catch {
    return false;
  }
  const want = RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
  for (const line of text.split('\n').slice(1)) {
    // sk Eth Pid Groups …: protocol 0 is NETLINK_ROUTE; Groups is hex.
    const [, eth, port, groups] = line.trim().split(/\s+/);
    if (eth === '0' && port === String(pid) && groups !== undefined && (parseInt(groups, 16) & want) === want)
      return true;
  }
  return false;
}
