import type { Socket, SocketOptions } from 'node:dgram';
import type { Clock, TimerHandle } from '@anyvip/clock';
import type { BfdAction } from '../fsm/actions.js';
import { stepBfd } from '../fsm/bfd-fsm.js';
import type { BfdEvent } from '../fsm/events.js';
import { type BfdSessionVars, initialBfdSession } from '../fsm/state.js';
import { BFD_SOURCE_PORT_MAX, BFD_SOURCE_PORT_MIN, BfdPort } from '../wire/constants.js';
import {
  BfdPacketError,
  type BfdState,
  decodeBfdControlPacket,
  encodeBfdControlPacket,
} from '../wire/control-packet.js';

/** What one BFD session to a peer is configured with. */
export interface BfdSessionOptions {
  /** The peer's address. */
  readonly peer: string;
  /** Our source address; the kernel picks one when absent. */
  readonly localAddress?: string;
  /** RFC 5883 multihop (UDP 4784) rather than RFC 5881 single-hop (UDP 3784). */
  readonly multihop: boolean;
  readonly desiredMinTxIntervalMs: number;
  readonly requiredMinRxIntervalMs: number;
  readonly detectMult: number;
}

/** A BFD session's state change, as the edge reports it. */
export interface BfdStateChange {
  readonly peer: string;
  readonly from: BfdState;
  readonly to: BfdState;
  /** Our Diag (RFC 5880 §4.1). */
  readonly diag: number;
  /** The peer's state as last heard; `adminDown` when the peer stopped the session on purpose. */
  readonly remoteState: BfdState;
  /** The peer's last Diag. */
  readonly remoteDiag: number;
}

/** Things the endpoint reports that are not state changes: socket errors, discarded packets. */
export interface BfdEndpointHooks {
  readonly onStateChange: (change: BfdStateChange) => void;
  readonly onError: (peer: string | undefined, context: string, error: Error) => void;
  readonly onDiscard?: (peer: string | undefined, reason: string) => void;
}

/** Where the endpoint listens; tests and benchmarks move it off the IANA ports. */
export interface BfdEndpointOptions {
  readonly clock: Clock;
  readonly hooks: BfdEndpointHooks;
  /** Default 3784 (RFC 5881 §4). */
  readonly singleHopPort?: number;
  /** Default 4784 (RFC 5883 §5). */
  readonly multihopPort?: number;
  /** Seed for discriminators and jitter; random by default. */
  readonly seed?: number;
}

/**
 * The BFD edge: the UDP sockets and timers of every session of one speaker. It
 * listens on UDP 3784 (single-hop) and 4784 (multihop) for IPv4 and IPv6, hands each
 * packet to the session its Your Discriminator names (or, while that is 0, to the
 * session for the source address, RFC 5880 §6.8.6), and sends each session's packets
 * from its own source port in 49152–65535 with TTL 255 (RFC 5881 §4, RFC 5883 §5).
 *
 * What Node cannot do: read the received TTL (dgram has no IP_RECVTTL), so the RFC
 * 5881 §5 check that single-hop packets arrive with TTL 255 is left to the kernel
 * firewall (see the README for the nftables rule). Single-hop packets are still
 * accepted only from a configured peer's address.
 */
export class BfdEndpoint {
  readonly #opts: BfdEndpointOptions;
  readonly #byDiscr = new Map<number, BfdSession>();
  readonly #byPeer = new Map<string, BfdSession>();
  readonly #listeners = new Map<string, Promise<Socket | undefined>>();
  #rng: number;

  constructor(opts: BfdEndpointOptions) {
    this.#opts = opts;
    this.#rng = (opts.seed ?? (Math.random() * 0xffffffff) >>> 0) >>> 0 || 1;
  }

  #random(): number {
    let x = this.#rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#rng = x >>> 0 || 1;
    return this.#rng;
  }

  /** Starts a session to `options.peer`; throws RangeError for bad intervals. */
  async add(options: BfdSessionOptions): Promise<BfdSession> {
    const key = peerKey(options.peer, options.multihop);
    if (this.#byPeer.has(key)) throw new RangeError(`a BFD session to ${options.peer} exists`);
    let discr = this.#random();
    while (discr === 0 || this.#byDiscr.has(discr)) discr = this.#random();
    const session = new BfdSession(this, options, discr, this.#random());
    this.#byDiscr.set(discr, session);
    this.#byPeer.set(key, session);
    const family = options.peer.includes(':') ? 'udp6' : 'udp4';
    const port = options.multihop
      ? (this.#opts.multihopPort ?? BfdPort.MULTIHOP)
      : (this.#opts.singleHopPort ?? BfdPort.SINGLE_HOP);
    await this.#listen(family, port, options.multihop);
    await session.open(family, port);
    return session;
  }

  /** Forgets a session (after `session.close()`). */
  remove(session: BfdSession): void {
    this.#byDiscr.delete(session.localDiscriminator);
    this.#byPeer.delete(peerKey(session.peer, session.multihop));
  }

  /** Closes the listening sockets; sessions must be closed first. */
  async close(): Promise<void> {
    const sockets = await Promise.all(this.#listeners.values());
    this.#listeners.clear();
    await Promise.all(sockets.map((s) => (s === undefined ? undefined : closeSocket(s))));
  }

  get clock(): Clock {
    return this.#opts.clock;
  }

  get hooks(): BfdEndpointHooks {
    return this.#opts.hooks;
  }

  #listen(family: 'udp4' | 'udp6', port: number, multihop: boolean): Promise<Socket | undefined> {
    const key = `${family}/${port}`;
    let p = this.#listeners.get(key);
    if (p === undefined) {
      p = new Promise((resolve) => {
        const s = createSocket({ type: family, ...(family === 'udp6' ? { ipv6Only: true } : {}) });
        s.on('message', (msg, rinfo) => this.#receive(msg, rinfo.address, multihop));
        s.once('error', (error) => {
          this.#opts.hooks.onError(undefined, `BFD listening socket ${key}`, error);
          s.close();
          resolve(undefined);
        });
        s.bind({ port, address: family === 'udp6' ? '::' : '0.0.0.0', exclusive: true }, () => {
          s.removeAllListeners('error');
          s.on('error', (error) => this.#opts.hooks.onError(undefined, `BFD listening socket ${key}`, error));
          resolve(s);
        });
      });
      this.#listeners.set(key, p);
    }
    return p;
  }

  #receive(msg: Buffer, from: string, multihop: boolean): void {
    const address = from.startsWith('::ffff:') ? from.slice(7) : from;
    let packet: ReturnType<typeof decodeBfdControlPacket>;
    try {
      packet = decodeBfdControlPacket(msg);
    } catch (e) {
      if (e instanceof BfdPacketError) this.#opts.hooks.onDiscard?.(address, e.code);
      return;
    }
    // RFC 5880 §6.8.6: Your Discriminator selects the session; while it is 0, the source address does.
    const session =
      packet.yourDiscriminator !== 0
        ? this.#byDiscr.get(packet.yourDiscriminator)
        : this.#byPeer.get(peerKey(address, multihop));
    if (session === undefined || session.peer !== address) {
      this.#opts.hooks.onDiscard?.(address, 'noSession');
      return;
    }
    session.step({ kind: 'packetReceived', packet });
  }
}

function peerKey(address: string, multihop: boolean): string {
  return `${multihop ? 'mh' : 'sh'}/${address}`;
}

function closeSocket(s: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      s.close(() => resolve());
    } catch {
      resolve();
    }
  });
}

/** One BFD session: the pure FSM, its TX socket and its two timers. */
export class BfdSession {
  readonly peer: string;
  readonly multihop: boolean;
  readonly localDiscriminator: number;
  readonly #endpoint: BfdEndpoint;
  readonly #options: BfdSessionOptions;
  #vars: BfdSessionVars;
  #socket: Socket | undefined;
  #port = 0;
  #tx: TimerHandle | undefined;
  #detect: TimerHandle | undefined;
  #closed = false;
  /** A send error is reported once, until a send succeeds again (a dead route must not flood the log). */
  #sendFailing = false;
  /** Sends not yet handed to the kernel: `close` waits for them, or the AdminDown packets would be lost. */
  readonly #inFlight = new Set<Promise<void>>();

  constructor(endpoint: BfdEndpoint, options: BfdSessionOptions, discr: number, seed: number) {
    this.#endpoint = endpoint;
    this.#options = options;
    this.peer = options.peer;
    this.multihop = options.multihop;
    this.localDiscriminator = discr;
    this.#vars = initialBfdSession(
      {
        localDiscriminator: discr,
        desiredMinTxIntervalMs: options.desiredMinTxIntervalMs,
        requiredMinRxIntervalMs: options.requiredMinRxIntervalMs,
        detectMult: options.detectMult,
      },
      seed,
    );
  }

  get state(): BfdState {
    return this.#vars.sessionState;
  }

  /** The FSM's variables (for status output and tests). */
  get vars(): BfdSessionVars {
    return this.#vars;
  }

  /** Binds the TX socket to a free source port in 49152–65535 (RFC 5881 §4) and starts. */
  async open(family: 'udp4' | 'udp6', port: number): Promise<void> {
    this.#port = port;
    for (let attempt = 0; attempt < 32 && this.#socket === undefined && !this.#closed; attempt++) {
      const sourcePort =
        BFD_SOURCE_PORT_MIN + Math.floor(Math.random() * (BFD_SOURCE_PORT_MAX - BFD_SOURCE_PORT_MIN + 1));
      this.#socket = await bindTx(family, sourcePort, this.#options.localAddress);
    }
    const s = this.#socket;
    if (s === undefined) {
      this.#endpoint.hooks.onError(
        this.peer,
        'BFD source port',
        new Error('no free source port in 49152-65535'),
      );
      return;
    }
    s.on('error', (error) => this.#endpoint.hooks.onError(this.peer, 'BFD socket', error));
    // RFC 5881 §5, RFC 5883 §5: sent with TTL 255.
    s.setTTL(255);
    this.step({ kind: 'start' });
  }

  /** AdminDown (RFC 5880 §6.8.16): the peer sees a deliberate stop, not a failure. */
  adminDown(): void {
    this.step({ kind: 'adminDown' });
  }

  adminUp(): void {
    this.step({ kind: 'adminUp' });
  }

  /** Stops timers and closes the socket; with `adminDown`, sends AdminDown first (a few times, as UDP may lose one). */
  async close(options: { readonly adminDown?: boolean } = {}): Promise<void> {
    if (this.#closed) return;
    if (options.adminDown === true && this.#socket !== undefined) {
      this.adminDown();
      for (let i = 0; i < 2; i++) this.step({ kind: 'txTimerExpires' });
    }
    this.#closed = true;
    this.#clearTimers();
    await Promise.all(this.#inFlight);
    this.#endpoint.remove(this);
    const s = this.#socket;
    this.#socket = undefined;
    if (s !== undefined) await closeSocket(s);
  }

  /** Feeds one event to the FSM and carries out its actions. */
  step(event: BfdEvent): void {
    if (this.#closed) return;
    const { vars, actions } = stepBfd(this.#vars, event);
    this.#vars = vars;
    for (const a of actions) this.#apply(a);
  }

  #apply(a: BfdAction): void {
    const clock = this.#endpoint.clock;
    switch (a.kind) {
      case 'sendControl': {
        const s = this.#socket;
        if (s === undefined) return;
        const sent = new Promise<void>((resolve) => {
          s.send(encodeBfdControlPacket(a.packet), this.#port, this.peer, (error) => {
            if (error && !this.#sendFailing) this.#endpoint.hooks.onError(this.peer, 'BFD send', error);
            this.#sendFailing = error !== null && error !== undefined;
            resolve();
          });
        });
        this.#inFlight.add(sent);
        void sent.then(() => this.#inFlight.delete(sent));
        return;
      }
      case 'armTxTimer':
        if (this.#tx !== undefined) clock.clearTimeout(this.#tx);
        this.#tx = clock.setTimeout(() => {
          this.#tx = undefined;
          this.step({ kind: 'txTimerExpires' });
        }, a.delayMs);
        return;
      case 'stopTxTimer':
        if (this.#tx !== undefined) clock.clearTimeout(this.#tx);
        this.#tx = undefined;
        return;
      case 'armDetectTimer':
        if (this.#detect !== undefined) clock.clearTimeout(this.#detect);
        this.#detect = clock.setTimeout(() => {
          this.#detect = undefined;
          this.step({ kind: 'detectTimerExpires' });
        }, a.delayMs);
        return;
      case 'stopDetectTimer':
        if (this.#detect !== undefined) clock.clearTimeout(this.#detect);
        this.#detect = undefined;
        return;
      case 'stateChange':
        this.#endpoint.hooks.onStateChange({
          peer: this.peer,
          from: a.from,
          to: a.to,
          diag: a.diag,
          remoteState: a.remoteState,
          remoteDiag: this.#vars.remoteDiag,
        });
        return;
      case 'discarded':
        this.#endpoint.hooks.onDiscard?.(this.peer, a.reason);
        return;
      case 'pollComplete':
        return;
    }
  }

  #clearTimers(): void {
    const clock = this.#endpoint.clock;
    if (this.#tx !== undefined) clock.clearTimeout(this.#tx);
    if (this.#detect !== undefined) clock.clearTimeout(this.#detect);
    this.#tx = undefined;
    this.#detect = undefined;
  }
}

function bindTx(
  family: 'udp4' | 'udp6',
  port: number,
  address: string | undefined,
): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const s = createSocket({ type: family });
    s.once('error', () => {
      s.close();
      resolve(undefined);
    });
    s.bind({ port, ...(address !== undefined ? { address } : {}), exclusive: true }, () => {
      s.removeAllListeners('error');
      resolve(s);
    });
  });
}

/** node:dgram on first use: a speaker without BFD never loads it. */
function createSocket(options: SocketOptions): Socket {
  return process.getBuiltinModule('node:dgram').createSocket(options);
}
