import type { Clock } from '@anyvip/healthcheck';
import type { KubernetesObject, V1Secret } from '@kubernetes/client-node';
import { PeerPassword } from '../../config/peer-password.js';
import type {
  AdvertisementSpec,
  FabricObject,
  FabricSecret,
  FabricSnapshot,
  PeerSpec,
  PoolSpec,
} from '../../desired/fabric.js';
import { nodePeerPasswordSecretKey } from '../../desired/peers.js';
import { describeError } from '../../errors.js';
import type { ControllerEvent } from '../../events.js';
import type { KubeClients } from '../../kubernetes/client.js';
import { anyvipGroup, anyvipVersion } from '../../kubernetes/crds/group.js';
import { pagedList, WatchedKind } from './list-watch.js';
import { reportListWatchEvent } from './list-watch-report.js';
import { OptionalKind, type OptionalKindEvent } from './optional-kind.js';

/**
 * Kubernetes mode's fabric observer: lists and watches the anyvip.io/v1alpha1 kinds
 * (AnyvipPeer, AnyvipAdvertisement, AnyvipPool; cluster-scoped) when their CRDs are installed,
 * and the Secrets peers name (`passwordSecretRef`, this node's `anyvip.io/peer-password-secret`),
 * each by name, in anyvip's own namespace only. It never decides: objects go to desired/ as
 * they are, with the schema check's verdict (`validate`, run here at the edge), and a Secret's
 * keys only wrapped ({@link PeerPassword}: the key never reaches JSON, logs or status).
 *
 * Level-triggered like the cluster observer: any change raises one coalesced pass.
 */

export const fabricGroup = anyvipGroup;
export const fabricVersion = anyvipVersion;

/** The kinds and their plurals. */
export const fabricKinds = {
  AnyvipPeer: 'anyvippeers',
  AnyvipAdvertisement: 'anyvipadvertisements',
  AnyvipPool: 'anyvippools',
} as const;

export type FabricKind = keyof typeof fabricKinds;

/** A custom object as the API hands it (plain JSON). */
export interface CustomObject extends KubernetesObject {
  readonly spec?: unknown;
  readonly status?: unknown;
}

export interface FabricObserverOptions {
  readonly clients: KubeClients;
  /** anyvip's namespace: the only one Secrets are read from. */
  readonly namespace: string;
  readonly clock: Clock;
  readonly onChange: (reason: string) => void;
  readonly report: (event: ControllerEvent) => void;
  /** This node's annotations (the node-annotation peer's Secret). */
  readonly nodeAnnotations: () => Readonly<Record<string, string>> | undefined;
  /** How often a CRD that is not installed is looked for again. Default 60 s. */
  readonly recheckMs?: number;
}

/** Objects per list page. */
const LIST_PAGE = 500;

/**
 * Keys Secret fingerprints, so they say "changed" and nothing else (a new key per process).
 * Made on the first Secret: crypto (OpenSSL's set-up) costs ~3 MB of RSS, which a cluster
 * without AnyvipPeer passwords never needs to pay.
 */
let fingerprintKey: Buffer | undefined;

/** The HMAC-SHA256 of `key` under this process's fingerprint key, as hex. */
function fingerprintOf(key: string): string {
  const { createHmac, randomBytes } = process.getBuiltinModule('node:crypto');
  fingerprintKey ??= randomBytes(32);
  return createHmac('sha256', fingerprintKey).update(key).digest('hex');
}

export class FabricObserver {
  readonly #o: FabricObserverOptions;
  readonly #kinds: Record<FabricKind, OptionalKind<CustomObject>>;
  readonly #secrets = new Map<string, WatchedKind<V1Secret>>();
  /** Converted objects by the object the cache holds (a watch replaces it on change). */
  readonly #converted = new WeakMap<object, FabricObject<unknown>>();
  readonly #wrapped = new WeakMap<object, FabricSecret>();
  /**
   * fabric-object.ts's conversion, loaded once a kind's CRD is installed: its checks bring the
   * schema library and every kind's schema (~4-5 MB of RSS), which a cluster without the CRDs
   * never needs.
   */
  #convert: ((kind: FabricKind, o: CustomObject) => FabricObject<unknown>) | undefined;
  #loadingChecks = false;
  #started = false;
  #initialSynced = false;
  #resolveSynced: () => void = () => {};
  readonly #syncedPromise = new Promise<void>((resolve) => {
    this.#resolveSynced = resolve;
  });

  constructor(options: FabricObserverOptions) {
    this.#o = options;
    const kind = (k: FabricKind): OptionalKind<CustomObject> => {
      const plural = fabricKinds[k];
      return new OptionalKind<CustomObject>(options.clients.connection, {
        path: `/apis/${fabricGroup}/${fabricVersion}/${plural}`,
        list: pagedList(
          (c) =>
            options.clients.custom.listClusterCustomObject({
              group: fabricGroup,
              version: fabricVersion,
              plural,
              limit: LIST_PAGE,
              ...(c !== undefined ? { _continue: c } : {}),
            }) as Promise<{
              items: CustomObject[];
              metadata?: { resourceVersion?: string; _continue?: string };
            }>,
        ),
        clock: options.clock,
        ...(options.recheckMs !== undefined ? { recheckMs: options.recheckMs } : {}),
        onEvent: (e) => this.#onEvent(e),
      });
    };
    this.#kinds = {
      AnyvipPeer: kind('AnyvipPeer'),
      AnyvipAdvertisement: kind('AnyvipAdvertisement'),
      AnyvipPool: kind('AnyvipPool'),
    };
  }

  /**
   * Every kind listed once (or known not installed): sticky, so a relist or a Secret watch
   * started later never takes the whole world away (a peer whose Secret is being listed waits).
   */
  get initialSynced(): boolean {
    return this.#initialSynced;
  }

  /** Every kind listed (or known not installed) and every named Secret listed. */
  get synced(): boolean {
    return (
      Object.values(this.#kinds).every((k) => k.synced) && [...this.#secrets.values()].every((w) => w.synced)
    );
  }

  /** Resolves once every kind was listed (or found not installed). */
  whenSynced(): Promise<void> {
    return this.#syncedPromise;
  }

  start(): void {
    this.#started = true;
    for (const k of Object.values(this.#kinds)) k.start();
    this.#syncSecretWatches();
  }

  stop(): void {
    this.#started = false;
    for (const k of Object.values(this.#kinds)) k.stop();
    for (const w of this.#secrets.values()) w.stop();
    this.#secrets.clear();
  }

  /** One object as the cache holds it (with its resourceVersion), for the condition writer. */
  object(kind: FabricKind, name: string): CustomObject | undefined {
    return this.#kinds[kind].items()?.find((o) => o.metadata?.name === name);
  }

  /** The fabric as last seen (without the node's network, which another observer reads). */
  snapshot(): Omit<FabricSnapshot, 'network'> {
    this.#syncSecretWatches();
    const secrets = new Map<string, FabricSecret>();
    const pendingSecrets = new Set<string>();
    for (const [name, w] of this.#secrets) {
      if (!w.synced) pendingSecrets.add(name);
      const s = w.items()[0];
      if (s !== undefined) secrets.set(name, this.#wrap(name, s));
    }
    return {
      pendingSecrets,
      peers: this.#objects<PeerSpec>('AnyvipPeer'),
      advertisements: this.#objects<AdvertisementSpec>('AnyvipAdvertisement'),
      pools: this.#objects<PoolSpec>('AnyvipPool'),
      secrets,
    };
  }

  #objects<S>(kind: FabricKind): FabricObject<S>[] | undefined {
    const items = this.#kinds[kind].items();
    if (items === undefined) return undefined;
    const convert = this.#convert;
    // A CRD installed a moment ago: as not installed until the checks are loaded (one pass).
    if (convert === undefined) {
      this.#loadChecks();
      return undefined;
    }
    return items.map((o) => {
      let c = this.#converted.get(o);
      if (c === undefined) {
        c = convert(kind, o);
        this.#converted.set(o, c);
      }
      return c as FabricObject<S>;
    });
  }

  /** A Secret's keys, each wrapped with its fingerprint (decoded once per version of the Secret). */
  #wrap(name: string, s: V1Secret): FabricSecret {
    let w = this.#wrapped.get(s);
    if (w === undefined) {
      w = fabricSecretOf(name, s);
      this.#wrapped.set(s, w);
    }
    return w;
  }

  /** Watches exactly the Secrets named now (by a `metadata.name` field selector each). */
  #syncSecretWatches(): void {
    if (!this.#started) return;
    const names = new Set<string>();
    for (const o of this.#kinds.AnyvipPeer.items() ?? []) {
      const ref = (o.spec as PeerSpec | undefined)?.passwordSecretRef?.name;
      if (typeof ref === 'string' && ref !== '') names.add(ref);
    }
    const annotated = this.#o.nodeAnnotations()?.[nodePeerPasswordSecretKey];
    if (annotated !== undefined && annotated !== '') names.add(annotated);
    for (const [name, w] of this.#secrets)
      if (!names.has(name)) {
        w.stop();
        this.#secrets.delete(name);
      }
    const { clients, namespace, clock } = this.#o;
    for (const name of names) {
      if (this.#secrets.has(name)) continue;
      const fieldSelector = `metadata.name=${name}`;
      const w = new WatchedKind<V1Secret>(clients.connection, {
        path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`,
        fieldSelector,
        list: () => clients.core.listNamespacedSecret({ namespace, fieldSelector }),
        clock,
        onEvent: (e) => this.#onEvent(e),
      });
      this.#secrets.set(name, w);
      w.start();
    }
  }

  #onEvent(e: OptionalKindEvent): void {
    switch (e.kind) {
      case 'absent':
        this.#o.report({
          kind: 'kubernetesKindAbsent',
          resource: e.resource,
          recheckInMs: e.recheckInMs,
          why: e.why,
        });
        return;
      default:
        reportListWatchEvent(
          e,
          (event) => this.#o.report(event),
          () => this.#changed(),
        );
    }
  }

  #changed(): void {
    if (!this.#started) return;
    this.#syncSecretWatches();
    // The kinds only: a Secret still being listed (or not readable) makes its peers wait
    // (pendingSecrets), never the whole world.
    if (!this.#initialSynced && Object.values(this.#kinds).every((k) => k.synced)) {
      const installed = Object.values(this.#kinds).some((k) => k.items() !== undefined);
      if (installed && this.#convert === undefined)
        this.#loadChecks(); // calls this again
      else {
        this.#initialSynced = true;
        this.#resolveSynced();
      }
    }
    this.#o.onChange('fabric');
  }

  #loadChecks(): void {
    if (this.#loadingChecks) return;
    this.#loadingChecks = true;
    import('./fabric-object.js').then(
      (m) => {
        this.#convert = m.fabricObjectOf;
        this.#changed();
      },
      (err: unknown) => {
        this.#loadingChecks = false;
        this.#o.report({
          kind: 'kubernetesError',
          resource: 'anyvip.io schema checks',
          reason: describeError(err),
        });
      },
    );
  }
}

/** A Secret's keys, each wrapped with its fingerprint; one trailing newline (as `--from-file` leaves) is not part of a key. */
export function fabricSecretOf(name: string, s: Pick<V1Secret, 'data'>): FabricSecret {
  const keys = new Map<string, PeerPassword>();
  for (const [k, b64] of Object.entries(s.data ?? {})) {
    const key = Buffer.from(b64, 'base64')
      .toString('utf8')
      .replace(/\r?\n$/, '');
    const fingerprint = fingerprintOf(key).slice(0, 16);
    keys.set(k, new PeerPassword(key, `${name}/${k}`, fingerprint));
  }
  return { name, keys };
}
