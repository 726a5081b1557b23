/**
 * An in-repo Kubernetes API server for tests: plain HTTP, JSON, and the semantics the
 * controller relies on, so that the real `@kubernetes/client-node` talks to it unchanged.
 *
 * - One global `resourceVersion` counter, as etcd's revision: every write bumps it.
 * - list: `{kind: XList, metadata: {resourceVersion}, items}`; `limit` and `continue` page a
 *   consistent snapshot (an unknown or expired continue token gets 410).
 * - watch (`?watch=true`): JSON Lines `{type, object}`. From a `resourceVersion` the server
 *   replays the retained history after it; older than the retained window it sends an
 *   `ERROR` event with a 410 Gone Status and closes, as kube-apiserver does ("too old
 *   resource version"). Without one it sends synthetic ADDED events for the current state.
 *   `allowWatchBookmarks=true` gets `BOOKMARK` events every `bookmarkIntervalMs`;
 *   `timeoutSeconds` closes the stream.
 * - create (409 AlreadyExists), get/delete (404 NotFound), update with a stale
 *   `metadata.resourceVersion` → 409 Conflict; `/status` updates only the status and the
 *   main resource never changes it; patch: JSON merge patch (RFC 7386; strategic merge is
 *   treated as merge) and JSON patch (RFC 6902: add, replace, remove, test).
 * - `fieldSelector` `metadata.name=` / `metadata.namespace=`; `labelSelector` `k=v,k2=v2`.
 * - CustomResourceDefinitions (`POST /apis/apiextensions.k8s.io/v1/customresourcedefinitions`,
 *   or `installCrds()`): each served version's resources appear at `/apis/G/V/[namespaces/NS/]PLURAL`
 *   with everything above, `metadata.generation` (1 on create, bumped only when something
 *   outside metadata and status changes), the status subresource when the CRD declares it,
 *   and every write (main or `/status`) pruned, defaulted and validated against the version's
 *   `openAPIV3Schema` with ajv and its CEL rules (crd-schema.ts): a refusal is 422 `Invalid`
 *   with `details.causes[{reason, field, message}]`, as kube-apiserver answers. Deleting a CRD
 *   deletes its resources. Discovery (`GET /api/v1`, `GET /apis/G/V`) lists the resources, so
 *   client-node's generic KubernetesObjectApi finds them.
 * - `goDown()` closes the listener and every connection (the API server is unreachable);
 *   `comeUp()` listens on the same port or path again with all state kept.
 *
 * Listens on TCP (`127.0.0.1:0` by default) or on a Unix socket path (interop tests put a
 * TCP forwarder in a network namespace in front of it).
 *
 * Plain HTTP by default. With `tls` it serves HTTPS (Node's `https`, the test's own
 * certificate), and with `authentication` it authenticates as kube-apiserver does with
 * anonymous access off: a request carrying a bearer token the server accepts
 * (`--token-auth-file`), or a client certificate that chains to `clientCa` (`--client-ca-file`),
 * is served; anything else is `401 Unauthorized` (a Status). `acceptTokens()` rotates the
 * accepted tokens at run time.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { CrdSchema, type JsonSchema, type StatusCause } from './crd-schema.js';

/** A stored object: any JSON object with Kubernetes metadata. */
export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    uid?: string;
    generateName?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
};

type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface ResourceType {
  /** `''` for the core group. */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly hasStatus: boolean;
  /** A custom resource: its schema, and `metadata.generation` is kept. */
  readonly schema?: CrdSchema;
  /** For discovery (`GET /apis/G/V`): the CRD's singular name and short names. */
  readonly singular?: string;
  readonly shortNames?: readonly string[];
}

const crdType: ResourceType = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  plural: 'customresourcedefinitions',
  kind: 'CustomResourceDefinition',
  namespaced: false,
  hasStatus: true,
};

/** `group/version/plural`: one resource type's store key. */
function typeKey(t: Pick<ResourceType, 'group' | 'version' | 'plural'>): string {
  return `${t.group}/${t.version}/${t.plural}`;
}

const resourceTypes: readonly ResourceType[] = [
  { group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true, hasStatus: true },
  { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false, hasStatus: true },
  { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true, hasStatus: false },
  { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true, hasStatus: false },
  { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true, hasStatus: false },
  {
    group: 'discovery.k8s.io',
    version: 'v1',
    plural: 'endpointslices',
    kind: 'EndpointSlice',
    namespaced: true,
    hasStatus: false,
  },
  {
    group: 'coordination.k8s.io',
    version: 'v1',
    plural: 'leases',
    kind: 'Lease',
    namespaced: true,
    hasStatus: false,
  },
  {
    group: 'events.k8s.io',
    version: 'v1',
    plural: 'events',
    kind: 'Event',
    namespaced: true,
    hasStatus: false,
  },
  crdType,
];

interface HistoryEntry {
  readonly rv: number;
  readonly type: WatchEventType;
  readonly resource: ResourceType;
  readonly object: KubeObject;
}

/** A list in pages: the objects as they were at `rv` (the API's limit and continue). */
interface ListSnapshot {
  readonly rv: number;
  readonly items: readonly KubeObject[];
}

interface Watcher {
  readonly resource: ResourceType;
  readonly namespace: string | undefined;
  readonly matches: (o: KubeObject) => boolean;
  readonly res: ServerResponse;
}

/** One request as the server saw it, for assertions (`GET /api/v1/services?watch=true`). */
export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  /** `?watch=true&resourceVersion=7`, or empty. */
  readonly query: string;
  readonly watch: boolean;
  readonly status: number;
}

export interface TestApiServerOptions {
  /** How many writes the watch history keeps; older resourceVersions get 410 Gone. Default 10,000. */
  readonly historyLimit?: number;
  /** Bookmark period for watches that ask for bookmarks. Default 1000 ms. */
  readonly bookmarkIntervalMs?: number;
  /**
   * Evaluate the CRDs' CEL rules (`x-kubernetes-validations`), as kube-apiserver ≥ 1.25 does.
   * Default true; false plays an API server that admits what only CEL would refuse.
   */
  readonly celRules?: boolean;
  /** Serve HTTPS with this certificate and key (PEM). */
  readonly tls?: {
    readonly cert: string | Buffer;
    readonly key: string | Buffer;
    /** Client certificates chaining to this CA authenticate (kube-apiserver's `--client-ca-file`). */
    readonly clientCa?: string | Buffer;
  };
  /** Authenticate every request (bearer token or client certificate); otherwise 401. */
  readonly authentication?: { readonly tokens: readonly string[] };
}

class HttpError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly details: Record<string, unknown> | undefined;
  constructor(status: number, reason: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.status = status;
    this.reason = reason;
    this.details = details;
  }
}

/** The test API server. `await TestApiServer.start()`, then `url` for a kubeconfig. */
export class TestApiServer {
  readonly #store = new Map<string, Map<string, KubeObject>>();
  /** Built-in types, then the versions of every CRD stored. */
  readonly #types = new Map<string, ResourceType>();
  readonly #celRules: boolean;
  readonly #history: HistoryEntry[] = [];
  readonly #watchers = new Set<Watcher>();
  readonly #snapshots = new Map<string, ListSnapshot>();
  readonly #sockets = new Set<Socket>();
  readonly #historyLimit: number;
  readonly #bookmarkIntervalMs: number;
  /** Everything requested, in order. */
  readonly requests: RequestRecord[] = [];
  #rv = 1;
  /** Writes at or below this were compacted away: watches from before it get 410. */
  #compactedRv = 0;
  #server: Server;
  #listenOn: { port: number; host: string } | { path: string } = { port: 0, host: '127.0.0.1' };
  #up = false;
  readonly #tls: TestApiServerOptions['tls'];
  /** Undefined: no authentication (every request is served). */
  #tokens: ReadonlySet<string> | undefined;

  private constructor(options: TestApiServerOptions) {
    this.#tls = options.tls;
    this.#tokens = options.authentication === undefined ? undefined : new Set(options.authentication.tokens);
    this.#historyLimit = options.historyLimit ?? 10_000;
    this.#bookmarkIntervalMs = options.bookmarkIntervalMs ?? 1000;
    this.#celRules = options.celRules ?? true;
    for (const t of resourceTypes) {
      this.#types.set(typeKey(t), t);
      this.#store.set(typeKey(t), new Map());
    }
    this.#server = this.#makeServer();
  }

  /** Starts listening on `127.0.0.1:port` (default any free port) or on a Unix socket `path`. */
  static async start(
    options: TestApiServerOptions & { readonly port?: number; readonly path?: string } = {},
  ): Promise<TestApiServer> {
    const s = new TestApiServer(options);
    s.#listenOn =
      options.path !== undefined ? { path: options.path } : { port: options.port ?? 0, host: '127.0.0.1' };
    await s.comeUp();
    return s;
  }

  /** `http://127.0.0.1:PORT`, or `https://` with `tls` (TCP only). */
  get url(): string {
    if ('path' in this.#listenOn) throw new Error('listening on a Unix socket');
    return `${this.#tls === undefined ? 'http' : 'https'}://${this.#listenOn.host}:${this.#listenOn.port}`;
  }

  /** The bearer tokens accepted from now on (a rotation: the old ones get 401). */
  acceptTokens(tokens: readonly string[]): void {
    this.#tokens = new Set(tokens);
  }

  /** The current global resourceVersion. */
  get resourceVersion(): number {
    return this.#rv;
  }

  get up(): boolean {
    return this.#up;
  }

  /** Makes the server unreachable: closes the listener and every open connection (watches too). */
  async goDown(): Promise<void> {
    if (!this.#up) return;
    this.#up = false;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const w of this.#watchers) w.res.destroy();
    this.#watchers.clear();
    for (const s of this.#sockets) s.destroy();
    await closed;
    this.#server = this.#makeServer();
  }

  /** Listens again on the same port or path; every object is kept. */
  async comeUp(): Promise<void> {
    if (this.#up) return;
    const on = this.#listenOn;
    if ('path' in on) rmSync(on.path, { force: true });
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      const done = (): void => {
        this.#server.off('error', reject);
        resolve();
      };
      if ('path' in on) this.#server.listen(on.path, done);
      else this.#server.listen(on.port, on.host, done);
    });
    if (!('path' in on)) this.#listenOn = { ...on, port: (this.#server.address() as AddressInfo).port };
    this.#up = true;
  }

  async close(): Promise<void> {
    await this.goDown();
  }

  /**
   * Drops the whole watch history, as etcd compaction does: any watch from a resourceVersion
   * before now gets 410 Gone, and open watches are closed so that clients reconnect.
   */
  compact(): void {
    this.#compactedRv = this.#rv;
    this.#history.length = 0;
    for (const w of this.#watchers) w.res.end();
    this.#watchers.clear();
  }

  /** Ends every open watch stream (clients reconnect from their resourceVersion). */
  closeWatches(): void {
    for (const w of this.#watchers) w.res.end();
    this.#watchers.clear();
  }

  /** How many watch streams are open for `plural`. */
  watchCount(plural: string): number {
    return [...this.#watchers].filter((w) => w.resource.plural === plural).length;
  }

  // Direct access for test setup, with the same semantics as the HTTP verbs.

  /** Stores CustomResourceDefinitions (created or replaced), so their resources are served. */
  installCrds(crds: readonly object[]): void {
    for (const crd of crds)
      this.apply('apiextensions.k8s.io/v1', 'customresourcedefinitions', crd as KubeObject);
  }

  /**
   * Creates or replaces an object (no resourceVersion check); returns the stored copy. A custom
   * resource is validated as over HTTP: a refused one throws with the causes.
   */
  apply(apiVersion: string, plural: string, object: KubeObject): KubeObject {
    const t = this.#type(apiVersion, plural);
    const key = keyOf(t, object.metadata.namespace, object.metadata.name);
    const old = this.#store.get(typeKey(t))?.get(key);
    try {
      const stored = this.#write(t, key, clone({ ...object, metadata: { ...object.metadata } }), old);
      return clone(stored);
    } catch (err) {
      if (err instanceof HttpError) throw new Error(`${err.message} ${JSON.stringify(err.details ?? {})}`);
      throw err;
    }
  }

  /** Deletes an object; false when it was not there. */
  remove(apiVersion: string, plural: string, name: string, namespace?: string): boolean {
    const t = this.#type(apiVersion, plural);
    const key = keyOf(t, namespace, name);
    const old = this.#store.get(typeKey(t))?.get(key);
    if (old === undefined) return false;
    this.#delete(t, key, old);
    return true;
  }

  get(apiVersion: string, plural: string, name: string, namespace?: string): KubeObject | undefined {
    const t = this.#type(apiVersion, plural);
    const o = this.#store.get(typeKey(t))?.get(keyOf(t, namespace, name));
    return o === undefined ? undefined : clone(o);
  }

  list(apiVersion: string, plural: string, namespace?: string): KubeObject[] {
    const t = this.#type(apiVersion, plural);
    return [...(this.#store.get(typeKey(t))?.values() ?? [])]
      .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
      .map(clone);
  }

  #type(apiVersion: string, plural: string): ResourceType {
    const [group = '', version = ''] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const t = this.#types.get(typeKey({ group, version, plural }));
    if (t === undefined) throw new Error(`unknown resource ${apiVersion} ${plural}`);
    return t;
  }

  /**
   * Discovery, as client-node's KubernetesObjectApi asks it: `GET /api/v1` or `GET /apis/G/V`
   * → the APIResourceList of that group version (with `/status` subresources); undefined for
   * any other path or an unknown group version.
   */
  #discovery(path: string): unknown {
    const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/?$/.exec(path);
    if (m === null) return undefined;
    const group = m[1] !== undefined ? '' : (m[2] ?? '');
    const version = m[1] ?? m[3] ?? '';
    const types = [...this.#types.values()].filter((t) => t.group === group && t.version === version);
    if (types.length === 0) return undefined;
    const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group === '' ? version : `${group}/${version}`,
      resources: types.flatMap((t) => [
        {
          name: t.plural,
          singularName: t.singular ?? '',
          namespaced: t.namespaced,
          kind: t.kind,
          verbs,
          ...(t.shortNames !== undefined && t.shortNames.length > 0 ? { shortNames: [...t.shortNames] } : {}),
        },
        ...(t.hasStatus
          ? [
              {
                name: `${t.plural}/status`,
                singularName: '',
                namespaced: t.namespaced,
                kind: t.kind,
                verbs: ['get', 'patch', 'update'],
              },
            ]
          : []),
      ]),
    };
  }

  /** Serves (or stops serving) the versions of a stored CRD; deleting a CRD deletes its objects. */
  #serveCrd(crd: KubeObject | undefined, old: KubeObject | undefined): void {
    const versionsOf = (o: KubeObject | undefined): ResourceType[] => {
      if (o === undefined) return [];
      const spec = o.spec as CrdSpec;
      return spec.versions
        .filter((v) => v.served !== false)
        .map((v) => ({
          group: spec.group,
          version: v.name,
          plural: spec.names.plural,
          kind: spec.names.kind,
          namespaced: spec.scope === 'Namespaced',
          hasStatus: v.subresources?.status !== undefined,
          singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
          shortNames: spec.names.shortNames ?? [],
          schema: new CrdSchema(
            v.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            {
              celRules: this.#celRules,
            },
          ),
        }));
    };
    const next = versionsOf(crd);
    for (const t of versionsOf(old)) {
      if (next.some((n) => typeKey(n) === typeKey(t))) continue;
      this.#types.delete(typeKey(t));
      this.#store.delete(typeKey(t));
    }
    for (const t of next) {
      this.#types.set(typeKey(t), t);
      if (!this.#store.has(typeKey(t))) this.#store.set(typeKey(t), new Map());
    }
  }

  #makeServer(): Server {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      void this.#handle(req, res);
    };
    const tls = this.#tls;
    const server =
      tls === undefined
        ? createServer(handler)
        : createHttpsServer(
            {
              cert: tls.cert,
              key: tls.key,
              ...(tls.clientCa !== undefined
                ? // Asked for, not required: a client without one may still bring a token.
                  { ca: tls.clientCa, requestCert: true, rejectUnauthorized: false }
                : {}),
            },
            handler,
          );
    server.on('connection', (s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    return server;
  }

  /** A token the server accepts, or a verified client certificate (kube-apiserver's authenticators). */
  #authenticated(req: IncomingMessage): boolean {
    if (this.#tokens === undefined) return true;
    const m = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
    if (m !== null && this.#tokens.has(m[1] as string)) return true;
    const socket = req.socket as TLSSocket;
    return this.#tls?.clientCa !== undefined && socket.authorized === true;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://api');
    const method = req.method ?? 'GET';
    const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    const record = (status: number): void => {
      this.requests.push({ method, path: url.pathname, query: url.search, watch, status });
    };
    try {
      const body = await readBody(req);
      if (!this.#authenticated(req)) throw new HttpError(401, 'Unauthorized', 'Unauthorized');
      const discovery = method === 'GET' ? this.#discovery(url.pathname) : undefined;
      if (discovery !== undefined) return send(res, 200, discovery, record);
      const route = parsePath(url.pathname, (g, v, p) =>
        this.#types.get(typeKey({ group: g, version: v, plural: p })),
      );
      if (route === undefined)
        throw new HttpError(404, 'NotFound', `the server could not find ${url.pathname}`);
      const { resource: t, namespace, name, status } = route;
      if (name === undefined) {
        if (method === 'GET' && watch) {
          record(200);
          this.#watch(t, namespace, url.searchParams, res);
          return;
        }
        if (method === 'GET') return send(res, 200, this.#listBody(t, namespace, url.searchParams), record);
        if (method === 'POST') return send(res, 201, this.#create(t, namespace, parseJson(body)), record);
        throw new HttpError(405, 'MethodNotAllowed', `${method} on a collection`);
      }
      const key = keyOf(t, namespace, name);
      const old = this.#store.get(typeKey(t))?.get(key);
      if (old === undefined && method !== 'PUT')
        throw new HttpError(404, 'NotFound', `${t.plural} "${name}" not found`);
      switch (method) {
        case 'GET':
          return send(res, 200, old, record);
        case 'DELETE': {
          if (old === undefined) throw new HttpError(404, 'NotFound', `${t.plural} "${name}" not found`);
          this.#delete(t, key, old);
          return send(res, 200, old, record);
        }
        case 'PUT': {
          const next = parseJson(body);
          if (next.metadata?.name !== undefined && next.metadata.name !== name)
            throw new HttpError(400, 'BadRequest', 'the name in the body does not match the URL');
          if (old === undefined) {
            if (status) throw new HttpError(404, 'NotFound', `${t.plural} "${name}" not found`);
            return send(res, 201, this.#create(t, namespace, next), record);
          }
          return send(res, 200, this.#update(t, key, old, next, status), record);
        }
        case 'PATCH': {
          if (old === undefined) throw new HttpError(404, 'NotFound', `${t.plural} "${name}" not found`);
          const patched = applyPatch(old, body, req.headers['content-type'] ?? '');
          return send(res, 200, this.#update(t, key, old, patched, status), record);
        }
        default:
          throw new HttpError(405, 'MethodNotAllowed', `${method} is not supported`);
      }
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(500, 'InternalError', String(err));
      send(
        res,
        e.status,
        {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: e.message,
          reason: e.reason,
          ...(e.details !== undefined ? { details: e.details } : {}),
          code: e.status,
        },
        record,
      );
    }
  }

  #listBody(t: ResourceType, namespace: string | undefined, params: URLSearchParams): unknown {
    const token = params.get('continue') ?? '';
    let snapshot: ListSnapshot;
    let offset = 0;
    if (token !== '') {
      const [id, at] = token.split(':');
      const found = id === undefined ? undefined : this.#snapshots.get(id);
      if (found === undefined)
        throw new HttpError(
          410,
          'Expired',
          'The provided continue parameter is too old to display a consistent list result.',
        );
      snapshot = found;
      offset = Number(at);
    } else {
      const matches = selectorOf(params);
      snapshot = {
        rv: this.#rv,
        items: [...(this.#store.get(typeKey(t))?.values() ?? [])].filter(
          (o) => (namespace === undefined || o.metadata.namespace === namespace) && matches(o),
        ),
      };
    }
    const limit = Number(params.get('limit') ?? '0');
    let items = snapshot.items.slice(offset);
    const metadata: Record<string, unknown> = { resourceVersion: String(snapshot.rv) };
    if (limit > 0 && items.length > limit) {
      items = items.slice(0, limit);
      let id = token.split(':')[0] ?? '';
      if (id === '') {
        id = randomUUID();
        this.#snapshots.set(id, snapshot);
        // A few lists in progress at a time; older tokens expire (410), as etcd compaction does.
        if (this.#snapshots.size > 16) this.#snapshots.delete(this.#snapshots.keys().next().value as string);
      }
      metadata.continue = `${id}:${offset + limit}`;
      metadata.remainingItemCount = snapshot.items.length - offset - limit;
    }
    return { kind: `${t.kind}List`, apiVersion: apiVersionOf(t), metadata, items };
  }

  #create(t: ResourceType, namespace: string | undefined, o: KubeObject): KubeObject {
    if (typeof o.metadata !== 'object' || o.metadata === null)
      throw new HttpError(400, 'BadRequest', 'no metadata');
    let name = o.metadata.name;
    if ((name === undefined || name === '') && o.metadata.generateName !== undefined)
      name = `${o.metadata.generateName}${randomUUID().slice(0, 5)}`;
    if (name === undefined || name === '')
      throw new HttpError(422, 'Invalid', 'metadata.name: Required value');
    if (t.namespaced && namespace === undefined)
      throw new HttpError(400, 'BadRequest', 'a namespace is required');
    const key = keyOf(t, namespace, name);
    if (this.#store.get(typeKey(t))?.has(key))
      throw new HttpError(409, 'AlreadyExists', `${t.plural} "${name}" already exists`);
    const { resourceVersion: _ignored, ...meta } = o.metadata;
    // With the status subresource, a create ignores status (kube-apiserver resets it).
    if (t.schema !== undefined && t.hasStatus) {
      const { status: _dropped, ...rest } = o;
      o = rest as KubeObject;
    }
    return clone(
      this.#write(
        t,
        key,
        { ...o, metadata: { ...meta, name, ...(t.namespaced ? { namespace } : {}) } },
        undefined,
      ),
    );
  }

  #update(t: ResourceType, key: string, old: KubeObject, next: KubeObject, status: boolean): KubeObject {
    const given = next.metadata?.resourceVersion;
    if (given !== undefined && given !== '' && given !== old.metadata.resourceVersion)
      throw new HttpError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${t.plural} "${old.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    let merged: KubeObject;
    if (status) merged = { ...old, status: next.status };
    else if (t.hasStatus) merged = { ...next, metadata: { ...next.metadata }, status: old.status };
    else merged = { ...next, metadata: { ...next.metadata } };
    // Identity fields are the server's.
    merged.metadata = {
      ...merged.metadata,
      name: old.metadata.name,
      ...(old.metadata.namespace !== undefined ? { namespace: old.metadata.namespace } : {}),
    };
    if (old.metadata.uid !== undefined) merged.metadata.uid = old.metadata.uid;
    if (old.metadata.creationTimestamp !== undefined)
      merged.metadata.creationTimestamp = old.metadata.creationTimestamp;
    return clone(this.#write(t, key, merged, old));
  }

  #write(t: ResourceType, key: string, o: KubeObject, old: KubeObject | undefined): KubeObject {
    if (t.schema !== undefined) {
      const candidate = clone({ ...o, apiVersion: apiVersionOf(t), kind: t.kind });
      const causes = t.schema.admit(candidate);
      if (causes.length > 0) throw invalid(t, o.metadata.name, causes);
      o = { ...candidate, metadata: { ...candidate.metadata, generation: generationOf(candidate, old) } };
    }
    if (t === crdType) this.#serveCrd(o, old);
    this.#rv += 1;
    const stored: KubeObject = clone({
      ...o,
      apiVersion: apiVersionOf(t),
      kind: t.kind,
      metadata: {
        ...o.metadata,
        uid: old?.metadata.uid ?? o.metadata.uid ?? randomUUID(),
        creationTimestamp:
          old?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        resourceVersion: String(this.#rv),
      },
    });
    this.#store.get(typeKey(t))?.set(key, stored);
    this.#record(t, old === undefined ? 'ADDED' : 'MODIFIED', stored);
    return stored;
  }

  #delete(t: ResourceType, key: string, old: KubeObject): void {
    if (t === crdType) this.#serveCrd(undefined, old);
    this.#store.get(typeKey(t))?.delete(key);
    this.#rv += 1;
    this.#record(t, 'DELETED', { ...old, metadata: { ...old.metadata, resourceVersion: String(this.#rv) } });
  }

  #record(t: ResourceType, type: WatchEventType, object: KubeObject): void {
    const entry: HistoryEntry = { rv: this.#rv, type, resource: t, object };
    this.#history.push(entry);
    if (this.#history.length > this.#historyLimit) {
      const dropped = this.#history.splice(0, this.#history.length - this.#historyLimit);
      this.#compactedRv = dropped.at(-1)?.rv ?? this.#compactedRv;
    }
    for (const w of this.#watchers) {
      if (typeKey(w.resource) !== typeKey(t)) continue;
      if (w.namespace !== undefined && object.metadata.namespace !== w.namespace) continue;
      if (!w.matches(object)) continue;
      writeEvent(w.res, type, object);
    }
  }

  #watch(t: ResourceType, namespace: string | undefined, params: URLSearchParams, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const matches = selectorOf(params);
    const inScope = (o: KubeObject): boolean =>
      (namespace === undefined || o.metadata.namespace === namespace) && matches(o);
    const fromText = params.get('resourceVersion') ?? '';
    if (fromText === '' || fromText === '0') {
      for (const o of this.#store.get(typeKey(t))?.values() ?? [])
        if (inScope(o)) writeEvent(res, 'ADDED', o);
    } else {
      const from = Number(fromText);
      if (!Number.isInteger(from) || from < this.#compactedRv) {
        writeEvent(res, 'ERROR', {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: { name: '' },
          status: 'Failure',
          message: `too old resource version: ${fromText} (${this.#compactedRv + 1})`,
          reason: 'Expired',
          code: 410,
        });
        res.end();
        return;
      }
      for (const h of this.#history) {
        if (h.rv > from && typeKey(h.resource) === typeKey(t) && inScope(h.object))
          writeEvent(res, h.type, h.object);
      }
    }
    const watcher: Watcher = { resource: t, namespace, matches, res };
    this.#watchers.add(watcher);
    const timers: NodeJS.Timeout[] = [];
    if (params.get('allowWatchBookmarks') === 'true') {
      const bookmark = setInterval(() => {
        writeEvent(res, 'BOOKMARK', {
          kind: t.kind,
          apiVersion: apiVersionOf(t),
          metadata: { name: '', resourceVersion: String(this.#rv) },
        });
      }, this.#bookmarkIntervalMs);
      bookmark.unref();
      timers.push(bookmark);
    }
    const timeoutSec = Number(params.get('timeoutSeconds') ?? '0');
    if (timeoutSec > 0) {
      const t2 = setTimeout(() => res.end(), timeoutSec * 1000);
      t2.unref();
      timers.push(t2);
    }
    res.on('close', () => {
      for (const x of timers) clearTimeout(x);
      this.#watchers.delete(watcher);
    });
  }
}

/** What the server reads of a CRD's spec. */
interface CrdSpec {
  readonly group: string;
  readonly names: {
    readonly plural: string;
    readonly kind: string;
    readonly singular?: string;
    readonly shortNames?: readonly string[];
  };
  readonly scope: 'Cluster' | 'Namespaced';
  readonly versions: readonly {
    readonly name: string;
    readonly served?: boolean;
    readonly subresources?: { readonly status?: object };
    readonly schema?: { readonly openAPIV3Schema?: JsonSchema };
  }[];
}

/** 1 on create; bumped when anything but metadata and status changed, as for custom resources. */
function generationOf(next: KubeObject, old: KubeObject | undefined): number {
  const before = Number(old?.metadata.generation ?? 0);
  if (old === undefined) return 1;
  const { metadata: _a, status: _b, ...nextSpec } = next;
  const { metadata: _c, status: _d, ...oldSpec } = old;
  return canonicalJson(nextSpec) === canonicalJson(oldSpec) ? before : before + 1;
}

/** JSON with object keys sorted, so that key order never counts as a change. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object' && v !== null)
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** A 422 as kube-apiserver words it: `AnyvipPeer.anyvip.io "x" is invalid: [field: message, ...]`. */
function invalid(t: ResourceType, name: string, causes: readonly StatusCause[]): HttpError {
  const each = causes.map((c) => `${c.field}: ${c.message}`);
  const list = each.length === 1 ? each[0] : `[${each.join(', ')}]`;
  return new HttpError(422, 'Invalid', `${t.kind}.${t.group} "${name}" is invalid: ${list}`, {
    name,
    group: t.group,
    kind: t.kind,
    causes: causes.map((c) => ({ reason: c.reason, message: c.message, field: c.field })),
  });
}

function apiVersionOf(t: ResourceType): string {
  return t.group === '' ? t.version : `${t.group}/${t.version}`;
}

function keyOf(t: ResourceType, namespace: string | undefined, name: string): string {
  return t.namespaced ? `${namespace ?? ''}/${name}` : name;
}

/** `/api/v1/...` or `/apis/G/V/...` → resource type (by `find`), namespace, name, `/status`. */
function parsePath(
  path: string,
  find: (group: string, version: string, plural: string) => ResourceType | undefined,
):
  | { resource: ResourceType; namespace: string | undefined; name: string | undefined; status: boolean }
  | undefined {
  const segs = path
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs[1] !== undefined) {
    group = '';
    version = segs[1];
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs[1] !== undefined && segs[2] !== undefined) {
    group = segs[1];
    version = segs[2];
    rest = segs.slice(3);
  } else return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, sub, ...extra] = rest;
  if (plural === undefined || extra.length > 0 || (sub !== undefined && sub !== 'status')) return undefined;
  const resource = find(group, version, plural);
  if (resource === undefined) return undefined;
  if (!resource.namespaced && namespace !== undefined) return undefined;
  if (resource.namespaced && namespace === undefined && name !== undefined) return undefined;
  if (sub === 'status' && !resource.hasStatus) return undefined;
  return { resource, namespace, name, status: sub === 'status' };
}

/** `fieldSelector` (metadata.name, metadata.namespace) and `labelSelector` (k=v, comma-joined). */
function selectorOf(params: URLSearchParams): (o: KubeObject) => boolean {
  const tests: ((o: KubeObject) => boolean)[] = [];
  for (const term of (params.get('fieldSelector') ?? '').split(',').filter((s) => s !== '')) {
    const [field, value] = term.split(/==?/);
    if (field === 'metadata.name') tests.push((o) => o.metadata.name === value);
    else if (field === 'metadata.namespace') tests.push((o) => o.metadata.namespace === value);
  }
  for (const term of (params.get('labelSelector') ?? '').split(',').filter((s) => s !== '')) {
    const [label, value] = term.split(/==?/);
    if (label === undefined) continue;
    tests.push((o) =>
      value === undefined ? o.metadata.labels?.[label] !== undefined : o.metadata.labels?.[label] === value,
    );
  }
  return (o) => tests.every((t) => t(o));
}

function writeEvent(res: ServerResponse, type: string, object: unknown): void {
  if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify({ type, object })}\n`);
}

function send(res: ServerResponse, status: number, body: unknown, record: (status: number) => void): void {
  record(status);
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): KubeObject {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as KubeObject;
  } catch (err) {
    throw new HttpError(400, 'BadRequest', `invalid JSON body: ${String(err)}`);
  }
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** JSON merge patch (RFC 7386) or JSON patch (RFC 6902) by content type. */
function applyPatch(old: KubeObject, body: string, contentType: string): KubeObject {
  let patch: unknown;
  try {
    patch = JSON.parse(body);
  } catch (err) {
    throw new HttpError(400, 'BadRequest', `invalid patch: ${String(err)}`);
  }
  if (contentType.startsWith('application/json-patch+json')) {
    if (!Array.isArray(patch)) throw new HttpError(400, 'BadRequest', 'a JSON patch is an array');
    return jsonPatch(clone(old), patch as JsonPatchOp[]);
  }
  return mergePatch(clone(old), patch) as KubeObject;
}

/** RFC 7386 §2: null removes a member, objects merge recursively, anything else replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

interface JsonPatchOp {
  op: string;
  path: string;
  value?: unknown;
}

/** RFC 6902 add, replace, remove and test on RFC 6901 pointers. */
function jsonPatch(doc: KubeObject, ops: readonly JsonPatchOp[]): KubeObject {
  for (const op of ops) {
    const parts = op.path
      .split('/')
      .slice(1)
      .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = parts.pop();
    if (last === undefined) throw new HttpError(422, 'Invalid', `bad path ${op.path}`);
    let parent: unknown = doc;
    for (const p of parts) {
      parent = (parent as Record<string, unknown>)[p];
      if (typeof parent !== 'object' || parent === null)
        throw new HttpError(422, 'Invalid', `path ${op.path} does not exist`);
    }
    const isArray = Array.isArray(parent);
    const list = parent as unknown[];
    const record = parent as Record<string, unknown>;
    switch (op.op) {
      case 'add':
        if (isArray) list.splice(last === '-' ? list.length : Number(last), 0, op.value);
        else record[last] = op.value;
        break;
      case 'replace':
        if (!(last in record)) throw new HttpError(422, 'Invalid', `path ${op.path} does not exist`);
        record[last] = op.value;
        break;
      case 'remove':
        if (isArray) list.splice(Number(last), 1);
        else delete record[last];
        break;
      case 'test':
        if (JSON.stringify(record[last]) !== JSON.stringify(op.value))
          throw new HttpError(422, 'Invalid', `test failed at ${op.path}`);
        break;
      default:
        throw new HttpError(422, 'Invalid', `unsupported patch op ${op.op}`);
    }
  }
  return doc;
}
