import type { AddPeerOptions, AnnounceOptions } from '@anyvip/bgp';
import type { SpeakerSpec } from '../../src/desired/types.js';
import type { BgpRouter, PeerRouter } from '../../src/sinks/bgp.js';

/**
 * A fake BGP speaker for unit tests: it records every call in order (`addPeer 10.250.0.1`,
 * `announce 10.250.255.1/32 [65000:100]`, `withdraw …`, `close <reason>`) and keeps the peers
 * and routes a real speaker would hold, refusing what a real one refuses (a duplicate peer, an
 * unknown one, calls after close).
 */
export class FakeRouter implements BgpRouter {
  readonly spec: SpeakerSpec;
  readonly calls: string[] = [];
  readonly peers = new Map<string, AddPeerOptions>();
  readonly routes = new Map<string, AnnounceOptions>();
  /** Each peer's own routes (per-peer export). */
  readonly peerRoutes = new Map<string, Map<string, AnnounceOptions>>();
  closed: string | undefined;
  /** Makes the next addPeer throw (as the speaker does for an invalid option). */
  failAddPeer: string | undefined;

  constructor(spec: SpeakerSpec) {
    this.spec = spec;
  }

  addPeer(options: AddPeerOptions): unknown {
    this.#open();
    if (this.failAddPeer !== undefined) {
      const message = this.failAddPeer;
      this.failAddPeer = undefined;
      throw new Error(message);
    }
    if (this.peers.has(options.address)) throw new Error(`peer ${options.address} is already configured`);
    this.calls.push(`addPeer ${options.address}`);
    this.peers.set(options.address, options);
    return {};
  }

  async removePeer(address: string): Promise<void> {
    if (!this.peers.delete(address)) throw new Error(`peer ${address} is not configured`);
    this.peerRoutes.delete(address);
    this.calls.push(`removePeer ${address}`);
  }

  peer(address: string): PeerRouter | undefined {
    if (!this.peers.has(address)) return undefined;
    return {
      announce: (options) => {
        this.#open();
        const prefix = String(options.prefix);
        this.calls.push(`peer ${address} announce ${prefix} [${(options.communities ?? []).join(' ')}]`);
        let own = this.peerRoutes.get(address);
        if (own === undefined) {
          own = new Map();
          this.peerRoutes.set(address, own);
        }
        own.set(prefix, options);
      },
      withdraw: (prefix) => {
        this.#open();
        this.calls.push(`peer ${address} withdraw ${prefix}`);
        return this.peerRoutes.get(address)?.delete(prefix) ?? false;
      },
    };
  }

  /** What `address` receives now: its own routes over the speaker-wide ones (as @anyvip/bgp exports). */
  exportTo(address: string): Map<string, AnnounceOptions> {
    return new Map([...this.routes, ...(this.peerRoutes.get(address) ?? [])]);
  }

  announce(options: AnnounceOptions): void {
    this.#open();
    const prefix = String(options.prefix);
    this.calls.push(`announce ${prefix} [${(options.communities ?? []).join(' ')}]`);
    this.routes.set(prefix, options);
  }

  withdraw(prefix: string): boolean {
    this.#open();
    this.calls.push(`withdraw ${prefix}`);
    return this.routes.delete(prefix);
  }

  async listen(options: { port?: number; host?: string }): Promise<{ address: string; port: number }> {
    this.calls.push(`listen ${options.port ?? 179}`);
    return { address: options.host ?? '::', port: options.port ?? 179 };
  }

  async close(reason?: string): Promise<void> {
    this.calls.push(`close ${reason ?? ''}`);
    this.closed = reason ?? '';
  }

  #open(): void {
    if (this.closed !== undefined) throw new Error('the speaker was closed');
  }
}

/** A router factory that keeps every router it made, newest last. */
export function fakeRouterFactory(): { routers: FakeRouter[]; create: (spec: SpeakerSpec) => FakeRouter } {
  const routers: FakeRouter[] = [];
  return {
    routers,
    create: (spec) => {
      const r = new FakeRouter(spec);
      routers.push(r);
      return r;
    },
  };
}
