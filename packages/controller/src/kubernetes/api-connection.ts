import type { KubeConfig } from '@kubernetes/client-node';
import type { RequestContext } from '@kubernetes/client-node/dist/gen/http/http.js';
import { NodeHttpDispatcher } from './node-http-dispatcher.js';

/**
 * A file's text, read asynchronously through fs's callback API: node:fs/promises (and an ES
 * import of node:fs, whose `promises` getter loads it) costs ~1.5 MB of RSS for this one read.
 */
function readFileText(path: string): Promise<string> {
  const { readFile } = process.getBuiltinModule('node:fs');
  return new Promise((resolve, reject) => {
    readFile(path, 'utf8', (err, text) => (err === null ? resolve(text) : reject(err)));
  });
}

/** Where the bearer token comes from. */
export type BearerToken =
  | { readonly kind: 'none' }
  | { readonly kind: 'static'; readonly token: string }
  /**
   * Read again on every request: a projected ServiceAccount token is rotated by the kubelet
   * (about hourly) and a kubeconfig `tokenFile` may be too; a token read once would expire.
   */
  | { readonly kind: 'file'; readonly path: string };

/** Everything needed to reach and authenticate to one API server (a kubeconfig subset). */
export interface ApiServerSettings {
  /** `https://host:port`; `http://` only for an explicitly insecure test server. */
  readonly server: string;
  /** PEM certificates the server's certificate must chain to; none: the system's roots. */
  readonly ca?: Buffer;
  /** Client certificate authentication (PEM), both or neither. */
  readonly clientCertificate?: Buffer;
  readonly clientKey?: Buffer;
  /** The name the server's certificate is checked against when it differs from the host (`tls-server-name`). */
  readonly tlsServerName?: string;
  readonly token: BearerToken;
}

/**
 * Authenticates requests to the API server for client-node's request factories and its
 * `Watch`: the part of `KubeConfig` anyvip uses (server, CA, client certificate, bearer token
 * or token file), without `KubeConfig` itself, whose module loads every API class and model of
 * the client (~37 MB of RSS on every node; see docs/scale.md).
 *
 * It is client-node's `SecurityAuthentication` (`applySecurityAuthentication`), and offers the
 * two methods `Watch` calls on its configuration (`getCurrentCluster`,
 * `applySecurityAuthentication`). Requests and watches go through one
 * {@link NodeHttpDispatcher} (Node's http/https with a keep-alive agent), verifying the server
 * against `ca`.
 */
export class ApiConnection {
  readonly server: string;
  readonly #token: BearerToken;
  readonly #dispatcher: NodeHttpDispatcher;
  /** The last token read, kept when the file is briefly unreadable (mid-rotation). */
  #lastToken: string | undefined;

  constructor(settings: ApiServerSettings) {
    this.server = settings.server.replace(/\/+$/, '');
    this.#token = settings.token;
    const tls = {
      ...(settings.ca !== undefined ? { ca: settings.ca } : {}),
      ...(settings.clientCertificate !== undefined ? { cert: settings.clientCertificate } : {}),
      ...(settings.clientKey !== undefined ? { key: settings.clientKey } : {}),
      ...(settings.tlsServerName !== undefined ? { servername: settings.tlsServerName } : {}),
    };
    this.#dispatcher = new NodeHttpDispatcher(tls);
  }

  /** client-node's `SecurityAuthentication` name. */
  getName(): string {
    return 'anyvip api connection';
  }

  /** What `Watch` asks for: the server to watch. */
  getCurrentCluster(): { readonly name: string; readonly server: string; readonly skipTLSVerify: boolean } {
    return { name: 'anyvip', server: this.server, skipTLSVerify: false };
  }

  /** Sets the bearer token and the TLS dispatcher on one request. */
  async applySecurityAuthentication(context: RequestContext): Promise<void> {
    const token = await this.#currentToken();
    if (token !== undefined) context.setHeaderParam('Authorization', `Bearer ${token}`);
    // fetch only ever calls dispatch() on it (see node-http-dispatcher.ts).
    context.setDispatcher(this.#dispatcher as unknown as Parameters<RequestContext['setDispatcher']>[0]);
  }

  /**
   * This connection as the `KubeConfig` client-node's `Watch` and `ListWatch` are typed with:
   * `Watch` only ever calls the two methods above on it.
   */
  asWatchConfig(): KubeConfig {
    return this as unknown as KubeConfig;
  }

  /** Closes the pooled connections (keep-alive sockets would hold the process open). */
  close(): void {
    this.#dispatcher.close();
  }

  async #currentToken(): Promise<string | undefined> {
    const t = this.#token;
    switch (t.kind) {
      case 'none':
        return undefined;
      case 'static':
        return t.token;
      case 'file':
        try {
          const read = (await readFileText(t.path)).trim();
          if (read !== '') this.#lastToken = read;
        } catch (err) {
          if (this.#lastToken === undefined) throw err;
        }
        return this.#lastToken;
    }
  }
}
