import type { IpResult, IpRunner } from '../../src/sinks/ip-runner.js';

/** An address as the fake kernel holds it. */
export interface FakeAddress {
  address: string;
  prefixLength: number;
  family: 'inet' | 'inet6';
  metric: number | undefined;
  label: string | undefined;
}

/** A route as the fake kernel holds it. */
export interface FakeRoute {
  prefix: string;
  dev: string;
  table: number;
  protocol: number;
}

/**
 * A fake `ip` for the sinks' unit tests: it records every command (batch lines one by one)
 * and keeps a small model of the kernel (addresses per device, routes per table), answering
 * the few commands the sinks use with iproute2's real output shapes and error texts
 * (iproute2 6.1 on Linux 6.x). Unknown commands fail loudly.
 */
export class FakeIp implements IpRunner {
  /** Every invocation: `-j addr show dev lo`, and each batch line prefixed `batch: `. */
  readonly commands: string[] = [];
  readonly devices = new Set<string>(['lo']);
  readonly addresses = new Map<string, FakeAddress[]>([['lo', [loopback4(), loopback6()]]]);
  readonly routes: FakeRoute[] = [];
  /** Lines matching a pattern fail with the message given (e.g. a permission error). */
  readonly failures: { pattern: RegExp; message: string }[] = [];

  /** Only the batch lines, without the `batch: ` prefix. */
  get batchLines(): string[] {
    return this.commands.filter((c) => c.startsWith('batch: ')).map((c) => c.slice('batch: '.length));
  }

  /** Forgets recorded commands (the kernel state stays). */
  clearCommands(): void {
    this.commands.length = 0;
  }

  /** Host addresses on `dev` as `address/len` with their metric. */
  addressList(dev = 'lo'): string[] {
    return (this.addresses.get(dev) ?? [])
      .filter((a) => !a.address.startsWith('127.') && a.address !== '::1')
      .map((a) => `${a.address}/${a.prefixLength}${a.metric === undefined ? '' : ` metric ${a.metric}`}`);
  }

  /** Routes of `table` as `prefix dev D proto P`. */
  routeList(table: number): string[] {
    return this.routes
      .filter((r) => r.table === table)
      .map((r) => `${r.prefix} dev ${r.dev} proto ${r.protocol}`);
  }

  /** `ip` is not installed: every call fails as execFile does for a missing binary. */
  missing = false;

  async run(args: readonly string[], input?: string): Promise<IpResult> {
    await Promise.resolve();
    if (this.missing) return { code: -1, stdout: '', stderr: 'spawn ip ENOENT' };
    const a = [...args];
    if (a[0] === '-force' && a[1] === '-batch' && a[2] === '-') {
      this.commands.push('-force -batch -');
      return this.#batch(input ?? '');
    }
    this.commands.push(a.join(' '));
    if (a[0] === '-j' && a[1] === 'addr' && a[2] === 'show' && a[3] === 'dev' && a[4] !== undefined) {
      return this.#showAddr(a[4]);
    }
    if (a[0] === '-j' && (a[1] === '-4' || a[1] === '-6') && a[2] === 'route' && a[3] === 'show') {
      const table = Number(a[a.indexOf('table') + 1]);
      const protoAt = a.indexOf('proto');
      const proto = protoAt < 0 ? undefined : Number(a[protoAt + 1]);
      return this.#showRoutes(a[1] === '-4' ? 'inet' : 'inet6', table, proto);
    }
    return { code: 255, stdout: '', stderr: `fake ip: unsupported command: ${a.join(' ')}\n` };
  }

  #showAddr(dev: string): IpResult {
    if (!this.devices.has(dev)) return { code: 1, stdout: '', stderr: `Device "${dev}" does not exist.\n` };
    const info = (this.addresses.get(dev) ?? []).map((x) => ({
      family: x.family,
      local: x.address,
      prefixlen: x.prefixLength,
      ...(x.metric !== undefined ? { metric: x.metric } : {}),
      scope: 'global',
      ...(x.label !== undefined ? { label: x.label } : {}),
    }));
    return { code: 0, stdout: JSON.stringify([{ ifindex: 1, ifname: dev, addr_info: info }]), stderr: '' };
  }

  #showRoutes(family: 'inet' | 'inet6', table: number, proto: number | undefined): IpResult {
    const inTable = this.routes.filter((r) => r.table === table && familyOf(r.prefix) === family);
    if (inTable.length === 0 && !this.routes.some((r) => r.table === table)) {
      const v = family === 'inet' ? 'ipv4' : 'ipv6';
      return { code: 2, stdout: '[', stderr: `Error: ${v}: FIB table does not exist.\nDump terminated\n` };
    }
    const rows = inTable
      .filter((r) => proto === undefined || r.protocol === proto)
      .map((r) => ({ dst: hostless(r.prefix), dev: r.dev, scope: 'link', flags: [] }));
    return { code: 0, stdout: JSON.stringify(rows), stderr: '' };
  }

  #batch(input: string): IpResult {
    const lines = input.split('\n').filter((l) => l.trim() !== '');
    let stderr = '';
    lines.forEach((line, i) => {
      this.commands.push(`batch: ${line}`);
      const error = this.#line(line);
      if (error !== undefined) stderr += `${error}\nCommand failed -:${i + 1}\n`;
    });
    return { code: stderr === '' ? 0 : 1, stdout: '', stderr };
  }

  /** Runs one batch line; returns the error text, if it failed. */
  #line(line: string): string | undefined {
    for (const f of this.failures) if (f.pattern.test(line)) return f.message;
    const t = line.trim().split(/\s+/);
    const opt = (name: string): string | undefined => {
      const i = t.indexOf(name);
      return i < 0 ? undefined : t[i + 1];
    };
    const [object, verb, prefix] = t;
    if (prefix === undefined) return 'Command line is not complete.';
    const [address = '', lenText] = prefix.split('/');
    const family = familyOf(prefix);
    if (object === 'addr') {
      const dev = opt('dev') ?? '';
      if (!this.devices.has(dev)) return `Cannot find device "${dev}"`;
      const list = this.addresses.get(dev) ?? [];
      this.addresses.set(dev, list);
      const existing = list.findIndex((x) => x.address === address);
      if (verb === 'add') {
        if (existing >= 0) {
          return family === 'inet'
            ? 'Error: ipv4: Address already assigned.'
            : 'RTNETLINK answers: File exists';
        }
        const metric = opt('metric');
        list.push({
          address,
          prefixLength: Number(lenText ?? (family === 'inet' ? 32 : 128)),
          family,
          metric: metric === undefined ? undefined : Number(metric),
          label: opt('label'),
        });
        return undefined;
      }
      if (verb === 'del') {
        if (existing < 0) {
          return family === 'inet'
            ? 'Error: ipv4: Address not found.'
            : 'RTNETLINK answers: Cannot assign requested address';
        }
        list.splice(existing, 1);
        return undefined;
      }
    }
    if (object === 'route') {
      const table = Number(opt('table') ?? 254);
      const protocol = Number(opt('proto') ?? 3);
      const at = this.routes.findIndex((r) => r.prefix === prefix && r.table === table);
      if (verb === 'replace') {
        const dev = opt('dev') ?? '';
        if (!this.devices.has(dev)) return `Cannot find device "${dev}"`;
        const route = { prefix, dev, table, protocol };
        if (at >= 0) this.routes[at] = route;
        else this.routes.push(route);
        return undefined;
      }
      if (verb === 'del') {
        if (at < 0 || this.routes[at]?.protocol !== protocol) {
          return family === 'inet'
            ? 'RTNETLINK answers: No such process'
            : 'Error: FIB table does not exist.';
        }
        this.routes.splice(at, 1);
        return undefined;
      }
    }
    return `Object "${object}" is unknown, try "ip help".`;
  }
}

function loopback4(): FakeAddress {
  return { address: '127.0.0.1', prefixLength: 8, family: 'inet', metric: undefined, label: 'lo' };
}

function loopback6(): FakeAddress {
  return { address: '::1', prefixLength: 128, family: 'inet6', metric: undefined, label: undefined };
}

function familyOf(prefix: string): 'inet' | 'inet6' {
  return prefix.includes(':') ? 'inet6' : 'inet';
}

/** `ip -j route` prints host routes without their length. */
function hostless(prefix: string): string {
  return prefix.endsWith('/32') || prefix.endsWith('/128')
    ? prefix.slice(0, prefix.lastIndexOf('/'))
    : prefix;
}
