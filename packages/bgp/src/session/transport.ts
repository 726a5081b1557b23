import { createServer, type NetConnectOpts, type Server, Socket, connect as tcpConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { formatAddress, formatIpv4, parseIpv4, parseIpv6 } from '../wire/address.js';
import {
  addressOctets,
  applyToConnectingSocket,
  fdOf,
  ListenerSecurity,
  loadSocketSecurity,
} from './socket-security.js';
import type { TcpSecurity } from './tcp-security.js';

/**
 * Where TCP connections come from (RFC 4271 §8: the FSM's "initiate a TCP
 * connection" and "TCP connection request" events). The session floor takes its
 * connections from a replaceable {@link Transport}, as undici takes sockets from its
 * `connect` option: production uses {@link nodeTransport}; tests pass one that hands
 * out in-memory duplex pairs.
 *
 * What Node allows and what it does not:
 * - IPv4 and IPv6, active and passive, binding a local address, and listening on any
 *   port with a per-peer allow list (the speaker drops connections from addresses it
 *   has no peer for) all work with `node:net`.
 * - Node has no IP_TTL / IPV6_UNICAST_HOPS setter on `net.Socket` (only `dgram` has
 *   `setTTL`), no IP_MINTTL and no TCP_MD5SIG. {@link nodeTransport} sets them through
 *   the optional `@anyvip/tcp-auth` addon when it is built: TTL, GTSM (RFC 5082) and
 *   TCP MD5 signatures (RFC 2385) then work; without it packets leave with the kernel
 *   default TTL (`net.ipv4.ip_default_ttl`, usually 64) and asking for TCP-MD5 or
 *   GTSM is refused at configuration time (see {@link Transport.tcpSecurityUnavailable}).
 * - TCP-AO (RFC 5925) is not supported.
 */
export interface Transport {
  /** Whether {@link ConnectRequest.ttl} is applied to outgoing packets. */
  readonly supportsTtl: boolean;
  /**
   * Undefined when {@link ConnectRequest.security} and {@link TransportServer.applyPeerSecurity}
   * are honoured (TCP-MD5, GTSM); otherwise why not, for the configuration error.
   * A transport without this field supports neither.
   */
  readonly tcpSecurityUnavailable?: string | undefined;
  /** Opens a connection; rejects when it fails or when `signal` aborts it. */
  connect(request: ConnectRequest): Promise<TransportConnection>;
  /**
   * Listens for connections; resolves once listening. `onConnection` gets each
   * accepted connection; `onError` gets errors of the listening socket after that.
   */
  listen(
    request: ListenRequest,
    onConnection: (connection: TransportConnection) => void,
    onError: (error: Error) => void,
  ): Promise<TransportServer>;
}

/** One established TCP connection. Addresses are canonical text (see {@link canonicalAddress}). */
export interface TransportConnection {
  /** The byte stream; `net.Socket` in production. */
  readonly stream: Duplex;
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /**
   * For an accepted connection, the TTL / hop limit its SYN arrived with, when the
   * transport can tell (a GTSM peer is configured, RFC 5082); the speaker refuses a
   * GTSM peer's connection whose SYN came from too far away.
   */
  readonly synTtl?: number;
}

/** What {@link Transport.connect} needs. */
export interface ConnectRequest {
  readonly host: string;
  readonly port: number;
  /** Source address to bind, if any. */
  readonly localAddress?: string;
  /** IP TTL / hop limit wanted (1 for direct eBGP, 255 for GTSM); only if {@link Transport.supportsTtl}. */
  readonly ttl?: number;
  /** TCP-MD5 key and GTSM minimum TTL, set before connect(); only without {@link Transport.tcpSecurityUnavailable}. */
  readonly security?: TcpSecurity;
  readonly signal: AbortSignal;
}

/** What {@link Transport.listen} needs; port 0 picks a free port. */
export interface ListenRequest {
  readonly port: number;
  /** Address to bind; omitted, Node binds `::` (dual stack) or `0.0.0.0`. */
  readonly host?: string;
}

/** A listening socket. */
export interface TransportServer {
  readonly address: string;
  readonly port: number;
  /** Stops listening; connections already accepted stay open. */
  close(): Promise<void>;
  /**
   * Makes the listening socket's TCP-MD5 keys and GTSM/TTL settings match the
   * configured peers (every peer by canonical address; undefined: nothing asked).
   * Throws when the kernel refuses an option. Absent on transports without support.
   */
  applyPeerSecurity?(peers: ReadonlyMap<string, TcpSecurity | undefined>): void;
}

/**
 * An address in one canonical text form, so that a configured peer address and a
 * socket's remote address compare equal: dotted quad for IPv4 (also for an
 * IPv4-mapped IPv6 address such as `::ffff:192.0.2.1`, as a dual-stack listener
 * reports IPv4 peers), RFC 5952 text for IPv6. Undefined for anything else. A zone
 * index (`fe80::1%eth0`) is kept as given after the canonical address.
 */
export function canonicalAddress(text: string): string | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return formatIpv4(v4);
  const percent = text.indexOf('%');
  const zone = percent < 0 ? '' : text.slice(percent);
  const v6 = parseIpv6(percent < 0 ? text : text.slice(0, percent));
  if (v6 === undefined) return undefined;
  const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  if (mapped) return `${v6[12]}.${v6[13]}.${v6[14]}.${v6[15]}`;
  return formatAddress(v6) + zone;
}

function connectionOf(socket: Socket): TransportConnection | undefined {
  const { localAddress, localPort, remoteAddress, remotePort } = socket;
  if (localAddress === undefined || remoteAddress === undefined) return undefined;
  if (localPort === undefined || remotePort === undefined) return undefined;
  return {
    stream: socket,
    localAddress: canonicalAddress(localAddress) ?? localAddress,
    localPort,
    remoteAddress: canonicalAddress(remoteAddress) ?? remoteAddress,
    remotePort,
  };
}

/**
 * Octets a socket buffers before `write` asks the writer to wait for 'drain'. Larger
 * than Node's default (64 KiB), so that a full table goes out in fewer stop-and-go
 * rounds; the session's bound on memory per slow peer is this plus one flush.
 */
export const SOCKET_HIGH_WATER_MARK = 512 * 1024;

function abortError(): Error {
  const e = new Error('connect aborted');
  e.name = 'AbortError';
  return e;
}

/**
 * A socket with the TTL / TCP-MD5 / GTSM options already set, not yet connected:
 * the addon creates the fd and sets the options, and Node adopts the fd
 * (`new net.Socket({ fd })`, libuv's uv_tcp_open) and connects it with its own
 * non-blocking connect, so the SYN already carries them.
 */
function preparedSocket(request: ConnectRequest): Socket {
  const load = loadSocketSecurity();
  if (load.kind === 'unavailable') throw new Error(`cannot set socket options: ${load.reason}`);
  const peer = addressOctets(request.host);
  if (peer === undefined) throw new Error(`not an IP address: ${request.host}`);
  const fd = load.options.socket(peer.version);
  try {
    applyToConnectingSocket(load.options, fd, peer.version, peer.octets, {
      ...request.security,
      ...(request.ttl !== undefined ? { ttl: request.ttl } : {}),
    });
  } catch (e) {
    load.options.close(fd);
    throw e;
  }
  // net.Socket hands stream options to its Duplex base; @types/node does not list this one.
  const options: { fd: number; readable: boolean; writable: boolean; writableHighWaterMark: number } = {
    fd,
    readable: true,
    writable: true,
    writableHighWaterMark: SOCKET_HIGH_WATER_MARK,
  };
  return new Socket(options);
}

/** Whether a connect request needs a socket prepared by the addon. */
function needsPreparedSocket(request: ConnectRequest): boolean {
  const s = request.security;
  return (
    request.ttl !== undefined ||
    (s !== undefined && (s.md5Key !== undefined || s.minTtl !== undefined || s.ttl !== undefined))
  );
}

/**
 * The `node:net` transport. TTL, TCP-MD5 and GTSM need the optional
 * `@anyvip/tcp-auth` addon (see {@link Transport}); everything else is plain `node:net`.
 */
export const nodeTransport: Transport = Object.freeze({
  get supportsTtl(): boolean {
    return loadSocketSecurity().kind === 'available';
  },

  get tcpSecurityUnavailable(): string | undefined {
    const load = loadSocketSecurity();
    return load.kind === 'available' ? undefined : load.reason;
  },

  connect(request: ConnectRequest): Promise<TransportConnection> {
    return new Promise<TransportConnection>((resolve, reject) => {
      if (request.signal.aborted) {
        reject(abortError());
        return;
      }
      let socket: Socket;
      if (needsPreparedSocket(request)) {
        try {
          socket = preparedSocket(request);
        } catch (e) {
          reject(e);
          return;
        }
        socket.setNoDelay(true);
        socket.connect({
          host: request.host,
          port: request.port,
          ...(request.localAddress !== undefined ? { localAddress: request.localAddress } : {}),
        });
      } else {
        // net.Socket hands stream options to its Duplex base; @types/node does not list this one.
        const options: NetConnectOpts & { writableHighWaterMark: number } = {
          host: request.host,
          port: request.port,
          ...(request.localAddress !== undefined ? { localAddress: request.localAddress } : {}),
          noDelay: true,
          writableHighWaterMark: SOCKET_HIGH_WATER_MARK,
        };
        socket = tcpConnect(options);
      }
      const onAbort = (): void => {
        socket.destroy();
        reject(abortError());
      };
      request.signal.addEventListener('abort', onAbort, { once: true });
      socket.once('error', (err) => {
        request.signal.removeEventListener('abort', onAbort);
        socket.destroy();
        reject(err);
      });
      socket.once('connect', () => {
        request.signal.removeEventListener('abort', onAbort);
        socket.removeAllListeners('error');
        const c = connectionOf(socket);
        if (c === undefined) {
          socket.destroy();
          reject(new Error('connection closed before it could be used'));
          return;
        }
        resolve(c);
      });
    });
  },

  listen(
    request: ListenRequest,
    onConnection: (connection: TransportConnection) => void,
    onError: (error: Error) => void,
  ): Promise<TransportServer> {
    return new Promise<TransportServer>((resolve, reject) => {
      let security: ListenerSecurity | undefined;
      const server: Server = createServer(
        { noDelay: true, highWaterMark: SOCKET_HIGH_WATER_MARK },
        (socket) => {
          const c = connectionOf(socket);
          if (c === undefined) {
            socket.destroy();
            return;
          }
          if (security !== undefined) {
            let synTtl: number | undefined;
            try {
              synTtl = security.applyToAccepted(socket, c.remoteAddress).synTtl;
            } catch (e) {
              socket.destroy();
              onError(e instanceof Error ? e : new Error(String(e)));
              return;
            }
            onConnection(synTtl !== undefined ? { ...c, synTtl } : c);
            return;
          }
          onConnection(c);
        },
      );
      server.once('error', reject);
      server.listen(
        { port: request.port, ...(request.host !== undefined ? { host: request.host } : {}) },
        () => {
          server.removeListener('error', reject);
          server.on('error', onError);
          const bound = server.address();
          const address = typeof bound === 'object' && bound !== null ? bound.address : (request.host ?? '');
          const port = typeof bound === 'object' && bound !== null ? bound.port : request.port;
          const family = typeof bound === 'object' && bound !== null ? bound.family : 'IPv4';
          resolve({
            address: canonicalAddress(address) ?? address,
            port,
            close: () =>
              new Promise<void>((done) => {
                server.close(() => done());
              }),
            applyPeerSecurity: (peers) => {
              if (security === undefined) {
                const load = loadSocketSecurity();
                const wanted = [...peers.values()].filter((p) => p !== undefined);
                if (wanted.length === 0) return;
                if (load.kind === 'unavailable') {
                  // A plain TTL is best effort (the peer session warns); TCP-MD5 and GTSM are not.
                  if (wanted.every((p) => p.md5Key === undefined && p.minTtl === undefined)) return;
                  throw new Error(`cannot set socket options: ${load.reason}`);
                }
                const fd = fdOf(server);
                if (fd === undefined) throw new Error('the listening socket has no file descriptor');
                security = new ListenerSecurity(load.options, fd, family === 'IPv6' ? 6 : 4);
              }
              security.apply(peers);
            },
          });
        },
      );
    });
  },
});
