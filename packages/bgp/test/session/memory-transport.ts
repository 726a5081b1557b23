import { type Duplex, duplexPair } from 'node:stream';
import { Framer } from '../../src/session/framer.js';
import type {
  ConnectRequest,
  ListenRequest,
  Transport,
  TransportConnection,
  TransportServer,
} from '../../src/session/transport.js';
import { type CodecContext, makeContext } from '../../src/wire/context.js';
import { type BgpMessage, decodeMessage } from '../../src/wire/message.js';

/** Lets pending stream callbacks and `setImmediate` work run (no wall-clock dependence). */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Waits (in event-loop turns, not time) until `predicate` holds; fails after `maxTurns`. */
export async function until(predicate: () => boolean, what = 'condition', maxTurns = 20_000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (predicate()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/**
 * The far end of an in-memory connection: the test plays the router. It reads what
 * the speaker sends (as raw messages, decoded on demand) and writes raw bytes back.
 */
export class RouterEnd {
  readonly stream: Duplex;
  readonly raw: Uint8Array[] = [];
  ended = false;
  #framer = new Framer(65535);
  #reading = true;
  ctx: CodecContext = makeContext({ fourOctetAs: true });

  constructor(stream: Duplex) {
    this.stream = stream;
    stream.on('data', (chunk: Uint8Array) => this.#onData(chunk));
    stream.on('end', () => {
      // Like a router's TCP stack, close our side when the speaker closes its own.
      this.ended = true;
      stream.end();
    });
    stream.on('error', () => {});
  }

  #onData(chunk: Uint8Array): void {
    this.#framer.push(chunk);
    for (let m = this.#framer.next(); m !== undefined; m = this.#framer.next()) this.raw.push(m.slice());
  }

  /** Everything received so far, decoded. */
  messages(): BgpMessage[] {
    return this.raw.map((m) => decodeMessage(m, this.ctx));
  }

  /** Decoded messages of one kind. */
  ofKind<K extends BgpMessage['kind']>(kind: K): Extract<BgpMessage, { kind: K }>[] {
    return this.messages().filter((m): m is Extract<BgpMessage, { kind: K }> => m.kind === kind);
  }

  send(bytes: Uint8Array): boolean {
    return this.stream.write(bytes);
  }

  /** Stops reading: the speaker's writes back up (TCP flow control in miniature). */
  pause(): void {
    this.#reading = false;
    this.stream.pause();
  }

  resume(): void {
    this.#reading = true;
    this.stream.resume();
  }

  get reading(): boolean {
    return this.#reading;
  }

  end(): void {
    this.stream.end();
  }

  destroy(): void {
    this.stream.destroy();
  }
}

interface PendingConnect {
  readonly request: ConnectRequest;
  resolve(c: TransportConnection): void;
  reject(e: Error): void;
}

/**
 * A Transport over `duplexPair()`: connect attempts wait until the test answers or
 * refuses them, and the test dials in through the listener.
 */
export class MemoryTransport implements Transport {
  readonly supportsTtl = false;
  readonly requests: ConnectRequest[] = [];
  readonly #pending: PendingConnect[] = [];
  #onConnection: ((c: TransportConnection) => void) | undefined;
  localAddress = '192.0.2.1';
  listenPort = 179;

  connect(request: ConnectRequest): Promise<TransportConnection> {
    this.requests.push(request);
    return new Promise((resolve, reject) => {
      const entry: PendingConnect = { request, resolve, reject };
      this.#pending.push(entry);
      request.signal.addEventListener('abort', () => {
        const i = this.#pending.indexOf(entry);
        if (i >= 0) this.#pending.splice(i, 1);
        reject(new Error('aborted'));
      });
    });
  }

  /** Connect attempts not answered yet. */
  get pendingConnects(): number {
    return this.#pending.length;
  }

  /** Completes the oldest connect attempt; returns the router's end. */
  answer(): RouterEnd {
    const p = this.#pending.shift();
    if (p === undefined) throw new Error('no connect attempt pending');
    const [ours, theirs] = duplexPair();
    p.resolve({
      stream: ours,
      localAddress: p.request.localAddress ?? this.localAddress,
      localPort: 40000 + this.requests.length,
      remoteAddress: p.request.host,
      remotePort: p.request.port,
    });
    return new RouterEnd(theirs);
  }

  /** Fails the oldest connect attempt. */
  refuse(): void {
    const p = this.#pending.shift();
    if (p === undefined) throw new Error('no connect attempt pending');
    p.reject(new Error('ECONNREFUSED'));
  }

  listen(
    request: ListenRequest,
    onConnection: (c: TransportConnection) => void,
    _onError: (e: Error) => void,
  ): Promise<TransportServer> {
    this.#onConnection = onConnection;
    this.listenPort = request.port === 0 ? 1790 : request.port;
    return Promise.resolve({
      address: request.host ?? '::',
      port: this.listenPort,
      close: () => {
        this.#onConnection = undefined;
        return Promise.resolve();
      },
    });
  }

  /** The router connects to the speaker's listener from `remoteAddress`. */
  dial(remoteAddress: string, remotePort = 50000): RouterEnd {
    const accept = this.#onConnection;
    if (accept === undefined) throw new Error('not listening');
    const [ours, theirs] = duplexPair();
    accept({
      stream: ours,
      localAddress: this.localAddress,
      localPort: this.listenPort,
      remoteAddress,
      remotePort,
    });
    return new RouterEnd(theirs);
  }
}
